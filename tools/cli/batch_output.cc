#include "tools/cli/batch_output.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>

#include "backend/status.h"

namespace procscope::cli {
namespace {

// Text built in a buffer and handed to the stream in large pieces (a stream call per field cost more than
// formatting the field).
class Text {
 public:
  explicit Text(std::ostream& out) : out_(out) { buffer_.reserve(kFlushAt + 4096); }
  void Str(std::string_view s) { buffer_.append(s); }
  void Spaces(size_t n) { buffer_.append(n, ' '); }
  void Uint(uint64_t v) {
    char digits[20];
    buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
  }
  void Int(int64_t v) {
    char digits[21];
    buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
  }
  // Two lowercase hex digits per byte, flushing on the way: an element may be a gigabyte.
  void HexBytes(const uint8_t* bytes, uint64_t length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    while (length > 0) {
      const size_t piece = static_cast<size_t>(std::min<uint64_t>(length, kFlushAt / 2));
      const size_t at = buffer_.size();
      buffer_.resize(at + 2 * piece);
      char* p = buffer_.data() + at;
      for (size_t i = 0; i < piece; ++i) {
        p[2 * i] = kDigits[bytes[i] >> 4];
        p[2 * i + 1] = kDigits[bytes[i] & 15];
      }
      bytes += piece;
      length -= piece;
      MaybeFlush();
    }
  }
  // A JSON string as nlohmann::json dumps it: quotes, backslash escapes, \u00xx for other control bytes.
  void JsonString(std::string_view s) {
    buffer_.push_back('"');
    for (const char c : s) {
      switch (c) {
        case '"':
          buffer_.append("\\\"");
          break;
        case '\\':
          buffer_.append("\\\\");
          break;
        case '\b':
          buffer_.append("\\b");
          break;
        case '\f':
          buffer_.append("\\f");
          break;
        case '\n':
          buffer_.append("\\n");
          break;
        case '\r':
          buffer_.append("\\r");
          break;
        case '\t':
          buffer_.append("\\t");
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kDigits[] = "0123456789abcdef";
            buffer_.append("\\u00");
            buffer_.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
            buffer_.push_back(kDigits[c & 15]);
          } else {
            buffer_.push_back(c);
          }
      }
    }
    buffer_.push_back('"');
  }
  void MaybeFlush() {
    if (buffer_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

 private:
  static constexpr size_t kFlushAt = 64 * 1024;
  std::ostream& out_;
  std::string buffer_;
};

const uint8_t* Bytes(const Element& e) { return static_cast<const uint8_t*>(e.buffer); }

// The batch's facts known only after its last chunk, as JSON members (two-space indented, no trailing comma).
void SummaryMembers(Text& text, const BatchSummary& summary) {
  text.Str("  \"transport\": ");
  text.JsonString(summary.transport);
  text.Str(",\n  \"fallback_reason\": ");
  if (summary.fallback_reason.empty()) {
    text.Str("null");
  } else {
    text.JsonString(summary.fallback_reason);
  }
  text.Str(",\n  \"syscalls\": ");
  text.Uint(summary.syscalls);
  text.Str(",\n  \"classified_by\": ");
  text.JsonString(summary.classified_by);
  text.Str(",\n  \"forced_via\": ");
  if (summary.forced_via.empty()) {
    text.Str("null");
  } else {
    text.JsonString(summary.forced_via);
  }
}

// One element's members in the order the document has always had: address, length, ok_bytes, error, data.
// `indent` before each member and `separator` between them ("\n      " and ",\n      " indented,
// "" and "," compact, with `colon` ": " or ":").
void ElementMembers(Text& text, const Element& e, const ElementResult& r, bool with_data,
                    std::string_view first, std::string_view separator, std::string_view colon) {
  text.Str(first);
  text.Str("\"address\"");
  text.Str(colon);
  text.Uint(e.address);
  text.Str(separator);
  text.Str("\"length\"");
  text.Str(colon);
  text.Uint(e.length);
  text.Str(separator);
  text.Str("\"ok_bytes\"");
  text.Str(colon);
  text.Uint(r.transferred);
  text.Str(separator);
  text.Str("\"error\"");
  text.Str(colon);
  if (r.ok()) {
    text.Str("null");
  } else {
    text.JsonString(ErrnoName(r.error));
  }
  if (with_data) {
    text.Str(separator);
    text.Str("\"data\"");
    text.Str(colon);
    text.Str("\"");
    text.HexBytes(Bytes(e), r.transferred);
    text.Str("\"");
  }
}

class JsonWriter final : public BatchWriter {
 public:
  JsonWriter(bool with_data, std::ostream& out) : with_data_(with_data), text_(out) {}

  void Chunk(std::span<const Element> elements, std::span<const ElementResult> results, bool last,
             const BatchSummary& summary) override {
    if (!started_) Start(summary, last);
    for (size_t i = 0; i < elements.size(); ++i) {
      text_.Str(any_ ? ",\n    {" : "\n    {");
      any_ = true;
      ElementMembers(text_, elements[i], results[i], with_data_, "\n      ", ",\n      ", ": ");
      text_.Str("\n    }");
      text_.MaybeFlush();
    }
  }

  void Finish(const BatchSummary& summary) override {
    if (!started_) Start(summary, true);
    text_.Str(any_ ? "\n  ]" : "]");
    if (!summary_first_) {
      text_.Str(",\n");
      SummaryMembers(text_, summary);
    }
    text_.Str("\n}\n");
    text_.Flush();
  }

 private:
  // pid and strategy, then (when this chunk is the whole batch) the rest of the facts, then the elements.
  void Start(const BatchSummary& summary, bool whole_batch) {
    started_ = true;
    summary_first_ = whole_batch;
    text_.Str("{\n  \"pid\": ");
    text_.Int(summary.pid);
    text_.Str(",\n  \"strategy\": ");
    text_.JsonString(summary.strategy);
    text_.Str(",\n");
    if (whole_batch) {
      SummaryMembers(text_, summary);
      text_.Str(",\n");
    }
    text_.Str("  \"elements\": [");
  }

  bool with_data_;
  Text text_;
  bool started_ = false, summary_first_ = true, any_ = false;
};

class NdjsonWriter final : public BatchWriter {
 public:
  NdjsonWriter(bool with_data, std::ostream& out) : with_data_(with_data), text_(out) {}

  void Chunk(std::span<const Element> elements, std::span<const ElementResult> results, bool,
             const BatchSummary&) override {
    for (size_t i = 0; i < elements.size(); ++i) {
      ElementMembers(text_, elements[i], results[i], with_data_, "{", ",", ":");
      text_.Str("}\n");
      text_.MaybeFlush();
    }
  }

  void Finish(const BatchSummary&) override { text_.Flush(); }

 private:
  bool with_data_;
  Text text_;
};

class TableWriter final : public BatchWriter {
 public:
  TableWriter(bool with_data, std::ostream& out) : with_data_(with_data), text_(out) {}

  void Chunk(std::span<const Element> elements, std::span<const ElementResult> results, bool last,
             const BatchSummary& summary) override {
    if (!started_) {
      started_ = true;
      if (last) {
        Summary(summary);
        summary_printed_ = true;
      }
      Measure(elements, results);
      static constexpr std::string_view kHeader[] = {"ADDRESS", "LENGTH", "OK_BYTES", "ERROR", "DATA"};
      Row(kHeader, nullptr, 0);
    }
    char address[20], length[20], ok_bytes[20];
    for (size_t i = 0; i < elements.size(); ++i) {
      const std::string error = ErrorCell(results[i]);
      const std::string_view cells[] = {Print(address, elements[i].address, true),
                                        Print(length, elements[i].length, false),
                                        Print(ok_bytes, results[i].transferred, false),
                                        error,
                                        {}};
      Row(cells, Bytes(elements[i]), results[i].transferred);
      text_.MaybeFlush();
    }
  }

  void Finish(const BatchSummary& summary) override {
    if (!summary_printed_) Summary(summary);
    text_.Flush();
  }

 private:
  static std::string_view Print(char (&digits)[20], uint64_t v, bool hex) {
    if (!hex) return {digits, static_cast<size_t>(std::to_chars(digits, digits + 20, v).ptr - digits)};
    digits[0] = '0';
    digits[1] = 'x';
    return {digits, static_cast<size_t>(std::to_chars(digits + 2, digits + 20, v, 16).ptr - digits)};
  }
  // "-" or the errno's name (short: no allocation).
  static std::string ErrorCell(const ElementResult& r) { return r.ok() ? "-" : ErrnoName(r.error); }

  void Summary(const BatchSummary& s) {
    text_.Str("PID ");
    text_.Int(s.pid);
    text_.Str(", strategy ");
    text_.Str(s.strategy);
    text_.Str(", ");
    text_.Uint(s.syscalls);
    text_.Str(" syscalls\ntransport: ");
    text_.Str(s.transport);
    if (!s.fallback_text.empty()) {
      text_.Str(" (");
      text_.Str(s.fallback_text);
      text_.Str(")");
    }
    text_.Str("\n");
  }

  // The widths of the first chunk's columns, header included (the last column is never padded).
  void Measure(std::span<const Element> elements, std::span<const ElementResult> results) {
    widths_ = {7, 6, 8, 5};  // ADDRESS LENGTH OK_BYTES ERROR
    char digits[20];
    for (size_t i = 0; i < elements.size(); ++i) {
      widths_[0] = std::max(widths_[0], Print(digits, elements[i].address, true).size());
      widths_[1] = std::max(widths_[1], Print(digits, elements[i].length, false).size());
      widths_[2] = std::max(widths_[2], Print(digits, results[i].transferred, false).size());
      widths_[3] = std::max(widths_[3], ErrorCell(results[i]).size());
    }
  }

  // The four cells, then DATA (the hex of `bytes`, or the literal header when bytes is null) when reads
  // carry data; each cell but the row's last padded to its width and two spaces.
  void Row(std::span<const std::string_view> cells, const uint8_t* bytes, uint64_t length) {
    const size_t columns = with_data_ ? 5 : 4;
    for (size_t c = 0; c < columns; ++c) {
      const bool last_column = c + 1 == columns;
      if (c == 4 && bytes != nullptr) {
        text_.HexBytes(bytes, length);
      } else {
        text_.Str(cells[c]);
      }
      if (!last_column) text_.Spaces(std::max(widths_[c], cells[c].size()) - cells[c].size() + 2);
    }
    text_.Str("\n");
  }

  bool with_data_;
  Text text_;
  bool started_ = false, summary_printed_ = false;
  std::array<size_t, 4> widths_{};
};

}  // namespace

std::optional<BatchFormat> ParseBatchFormat(std::string_view name) {
  if (name == "json") return BatchFormat::kJson;
  if (name == "ndjson") return BatchFormat::kNdjson;
  if (name == "table") return BatchFormat::kTable;
  return std::nullopt;
}

std::unique_ptr<BatchWriter> MakeBatchWriter(BatchFormat format, bool with_data, std::ostream& out) {
  switch (format) {
    case BatchFormat::kJson:
      return std::make_unique<JsonWriter>(with_data, out);
    case BatchFormat::kNdjson:
      return std::make_unique<NdjsonWriter>(with_data, out);
    case BatchFormat::kTable:
      break;
  }
  return std::make_unique<TableWriter>(with_data, out);
}

}  // namespace procscope::cli
