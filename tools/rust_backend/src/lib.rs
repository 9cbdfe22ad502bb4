//! procscope's backend ABI (backend/c_api/procscope_backend.h) in Rust, without crates: batched
//! process_vm_readv/writev the way memflow-native's `process_rw` works once its partial-transfer bug is fixed.
//!
//! The loop: up to IOV_MAX elements per call. A call returns how many bytes it moved, in element order, and
//! stops at the first byte it cannot move. Walk the elements: each one fully covered by that count is done;
//! the one where the count ends is retried alone from where it stopped. If that retry moves nothing
//! (EFAULT), the element fails there with its prefix; if it moves something (the call had stopped at the
//! kernel's per-call cap, MAX_RW_COUNT, not at a fault), it goes on. The next call starts at the element
//! after. Results are indexed by element, never by position in a call, which is what the unfixed loop got
//! wrong.

use std::os::raw::{c_char, c_int, c_ulong, c_void};

const PROCSCOPE_BACKEND_ABI: u32 = 1;
const IOV_MAX: usize = 1024;
const EFAULT: i32 = 14;
const EOVERFLOW: i32 = 75;

#[repr(C)]
pub struct ProcscopeElement {
    pub address: u64,
    pub buffer: *mut c_void,
    pub length: u64,
}

#[repr(C)]
pub struct ProcscopeResult {
    pub transferred: u64,
    pub error: i32,
    pub reserved: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct IoVec {
    base: *mut c_void,
    len: usize,
}

extern "C" {
    fn process_vm_readv(pid: c_int, local: *const IoVec, liovcnt: c_ulong, remote: *const IoVec,
                        riovcnt: c_ulong, flags: c_ulong) -> isize;
    fn process_vm_writev(pid: c_int, local: *const IoVec, liovcnt: c_ulong, remote: *const IoVec,
                         riovcnt: c_ulong, flags: c_ulong) -> isize;
    fn __errno_location() -> *mut c_int;
}

fn errno() -> i32 {
    unsafe { *__errno_location() }
}

/// One process_vm_readv/writev over `local`/`remote`: bytes moved, or the errno.
fn call(write: bool, pid: i32, local: &[IoVec], remote: &[IoVec]) -> Result<u64, i32> {
    let n = unsafe {
        let f = if write { process_vm_writev } else { process_vm_readv };
        f(pid, local.as_ptr(), local.len() as c_ulong, remote.as_ptr(), remote.len() as c_ulong, 0)
    };
    if n < 0 { Err(errno()) } else { Ok(n as u64) }
}

fn iov(address: u64, len: u64) -> IoVec {
    IoVec { base: address as usize as *mut c_void, len: len as usize }
}

/// Finishes element `e` from byte `done` alone; its result.
fn finish_alone(write: bool, pid: i32, e: &ProcscopeElement, mut done: u64) -> ProcscopeResult {
    while done < e.length {
        let local = [iov(e.buffer as u64 + done, e.length - done)];
        let remote = [iov(e.address + done, e.length - done)];
        match call(write, pid, &local, &remote) {
            Ok(0) => return ProcscopeResult { transferred: done, error: EFAULT, reserved: 0 },
            Ok(n) => done += n,
            Err(error) => return ProcscopeResult { transferred: done, error, reserved: 0 },
        }
    }
    ProcscopeResult { transferred: done, error: 0, reserved: 0 }
}

fn transfer(write: bool, pid: i32, elements: &[ProcscopeElement], results: &mut [ProcscopeResult]) -> c_int {
    // Elements that need no call: zero-length ones succeed, wrapping ones fail with EOVERFLOW.
    let mut pending: Vec<usize> = Vec::with_capacity(elements.len());
    for (i, e) in elements.iter().enumerate() {
        results[i] = ProcscopeResult { transferred: 0, error: 0, reserved: 0 };
        if e.length == 0 {
            continue;
        }
        if e.address.checked_add(e.length - 1).is_none() {
            results[i].error = EOVERFLOW;
            continue;
        }
        pending.push(i);
    }
    let mut at = 0;
    while at < pending.len() {
        let batch = &pending[at..pending.len().min(at + IOV_MAX)];
        let local: Vec<IoVec> = batch.iter().map(|&i| iov(elements[i].buffer as u64, elements[i].length)).collect();
        let remote: Vec<IoVec> = batch.iter().map(|&i| iov(elements[i].address, elements[i].length)).collect();
        let moved = match call(write, pid, &local, &remote) {
            Ok(n) => n,
            Err(EFAULT) => 0, // nothing moved: the first element is unreachable from its first byte
            Err(error) => {
                // The whole call failed (ESRCH, EPERM, ...): so does every element not yet done.
                for &i in &pending[at..] {
                    results[i].error = error;
                }
                return error;
            }
        };
        let mut left = moved;
        let mut k = 0;
        while k < batch.len() && left >= elements[batch[k]].length {
            results[batch[k]].transferred = elements[batch[k]].length;
            left -= elements[batch[k]].length;
            k += 1;
        }
        if k < batch.len() {
            let i = batch[k];
            results[i] = finish_alone(write, pid, &elements[i], left);
            if results[i].error != 0 && results[i].error != EFAULT {
                let error = results[i].error;
                for &j in &pending[at + k + 1..] {
                    results[j].error = error;
                }
                return error;
            }
            k += 1;
        }
        at += k;
    }
    0
}

/// The ABI version this plugin implements.
#[no_mangle]
pub extern "C" fn procscope_backend_abi() -> u32 {
    PROCSCOPE_BACKEND_ABI
}

/// The plugin's name (static storage).
#[no_mangle]
pub extern "C" fn procscope_backend_name() -> *const c_char {
    b"rust template (memflow-native's process_rw, fixed)\0".as_ptr() as *const c_char
}

fn run(write: bool, pid: i32, elements: *const ProcscopeElement, count: usize, results: *mut ProcscopeResult) -> c_int {
    if count == 0 {
        return 0;
    }
    if elements.is_null() || results.is_null() {
        return 22; // EINVAL
    }
    let elements = unsafe { std::slice::from_raw_parts(elements, count) };
    let results = unsafe { std::slice::from_raw_parts_mut(results, count) };
    transfer(write, pid, elements, results)
}

/// Reads `count` elements of process `pid` (see procscope_backend.h).
///
/// # Safety
/// `elements` and `results` point to `count` entries; each buffer is valid for its length.
#[no_mangle]
pub unsafe extern "C" fn procscope_backend_read(pid: i32, elements: *const ProcscopeElement, count: usize,
                                                results: *mut ProcscopeResult) -> c_int {
    run(false, pid, elements, count, results)
}

/// Writes `count` elements of process `pid` (see procscope_backend.h).
///
/// # Safety
/// As for procscope_backend_read.
#[no_mangle]
pub unsafe extern "C" fn procscope_backend_write(pid: i32, elements: *const ProcscopeElement, count: usize,
                                                 results: *mut ProcscopeResult) -> c_int {
    run(true, pid, elements, count, results)
}
