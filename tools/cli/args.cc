#include "tools/cli/args.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "backend/eintr.h"
#include "tools/cli/utf8.h"

namespace procscope::cli {
namespace {

// User input inside a message: non-printable bytes as \xNN, at most 60 bytes, so one bad line stays one
// readable line.
std::string Shown(std::string_view text) {
  return Printable(text.substr(0, 60)) + (text.size() > 60 ? "..." : "");
}

bool ParseWhole(std::string_view text, int base, uint64_t& value) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

StatusOr<pid_t> ParsePid(std::string_view text) {
  uint64_t value = 0;
  if (!ParseWhole(text, 10, value) || value < 1 || value > (1u << 22)) {
    return Status(EINVAL, "bad PID '" + Shown(text) + "': expected a decimal number from 1 to 4194304");
  }
  return static_cast<pid_t>(value);
}

StatusOr<std::chrono::milliseconds> ParseSeconds(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  uint64_t seconds = 0, thousandths = 0;
  const bool ok =
      ParseWhole(whole, 10, seconds) && seconds <= kMaxSeconds &&
      (dot == std::string_view::npos || (fraction.size() <= 3 && ParseWhole(fraction, 10, thousandths) &&
                                         fraction.find_first_not_of("0123456789") == std::string_view::npos));
  if (!ok || (seconds == kMaxSeconds && thousandths != 0)) {
    return Status(EINVAL, "bad number of seconds '" + Shown(text) +
                              "': expected a decimal number from 0 to " + std::to_string(kMaxSeconds) +
                              ", at most 3 digits after the point");
  }
  for (size_t i = fraction.size(); i < 3; ++i) thousandths *= 10;
  return std::chrono::milliseconds(seconds * 1000 + thousandths);
}

StatusOr<uint64_t> ParseAddress(std::string_view text) {
  uint64_t value = 0;
  const bool hex = text.starts_with("0x") || text.starts_with("0X");
  if (!ParseWhole(hex ? text.substr(2) : text, hex ? 16 : 10, value)) {
    return Status(EINVAL, "bad address '" + Shown(text) + "': expected 0x<hex> or a decimal number");
  }
  return value;
}

StatusOr<Range> ParseRange(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return Status(EINVAL, "bad range '" + Shown(text) + "': expected ADDR:LEN");
  StatusOr<uint64_t> address = ParseAddress(text.substr(0, colon));
  if (!address.ok()) return address.status();
  uint64_t length = 0;
  if (!ParseWhole(text.substr(colon + 1), 10, length)) {
    return Status(EINVAL, "bad length in '" + Shown(text) + "': expected a decimal number");
  }
  if (length > kMaxTotalBytes) {
    return Status(EINVAL, "length in '" + Shown(text) + "' exceeds 1 GiB (every buffer is held in memory)");
  }
  uint64_t last;
  if (length > 0 && __builtin_add_overflow(*address, length - 1, &last)) {
    return Status(EINVAL, "range '" + Shown(text) + "' wraps past the end of the address space");
  }
  return Range{*address, length};
}

Status RangeListParser::Line(std::string_view line) {
  ++line_number_;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
    line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.empty() || line.front() == '#') return OkStatus();
  StatusOr<Range> range = ParseRange(line);
  if (!range.ok())
    return Status(EINVAL, "line " + std::to_string(line_number_) + ": " + range.status().message());
  ranges_.push_back(*range);
  return OkStatus();
}

Status RangeListParser::Feed(std::string_view piece) {
  while (error_.ok() && !piece.empty()) {
    const size_t newline = piece.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(piece);
      break;
    }
    if (partial_.empty()) {
      error_ = Line(piece.substr(0, newline));
    } else {
      partial_.append(piece.substr(0, newline));
      error_ = Line(partial_);
      partial_.clear();
    }
    piece.remove_prefix(newline + 1);
  }
  return error_;
}

StatusOr<std::vector<Range>> RangeListParser::Finish() {
  if (error_.ok() && !partial_.empty()) error_ = Line(partial_);
  partial_.clear();
  if (!error_.ok()) return error_;
  return std::move(ranges_);
}

StatusOr<std::vector<Range>> ParseRangeList(std::string_view text) {
  RangeListParser parser;
  if (Status status = parser.Feed(text); !status.ok()) return status;
  return parser.Finish();
}

StatusOr<std::vector<Range>> ReadRangeList(int fd, const std::string& name) {
  RangeListParser parser;
  std::vector<char> piece(1 << 20);
  while (true) {
    const ssize_t n = RetryOnEintr([&] { return read(fd, piece.data(), piece.size()); });
    if (n < 0) return ErrnoStatus("read " + name);
    if (n == 0) return parser.Finish();
    if (Status status = parser.Feed({piece.data(), static_cast<size_t>(n)}); !status.ok()) return status;
  }
}

StatusOr<std::vector<uint8_t>> ParseHex(std::string_view text) {
  if (text.size() % 2 != 0) return Status(EINVAL, "hex data '" + Shown(text) + "' has an odd length");
  std::vector<uint8_t> bytes(text.size() / 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint64_t value = 0;
    if (!ParseWhole(text.substr(2 * i, 2), 16, value)) {
      return Status(EINVAL, "hex data has a non-hex character near offset " + std::to_string(2 * i));
    }
    bytes[i] = static_cast<uint8_t>(value);
  }
  return bytes;
}

std::string ToHex(const uint8_t* bytes, size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * length, '0');
  for (size_t i = 0; i < length; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace procscope::cli
