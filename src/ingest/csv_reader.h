// A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, embedded newlines, CRLF or LF
// line ends, a leading UTF-8 byte-order mark. Reads in large blocks so memory stays flat whatever
// the file's size. Reports structural errors with the line on which the record started; it never
// puts a field's content in an error. Owns its buffer; borrows the stream. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "core/errors.h"

namespace pathaudit::ingest {

// A structural error: after it the rest of the file cannot be read reliably.
class CsvSyntaxError : public core::ValidationError {
 public:
  CsvSyntaxError(std::int64_t line, int column, const std::string& message)
      : core::ValidationError(message), line_(line), column_(column) {}
  std::int64_t line() const { return line_; }
  int column() const { return column_; }  // 1-based field number; 0 for the whole record

 private:
  std::int64_t line_;
  int column_;
};

struct CsvRecord {
  std::vector<std::string> fields;
  std::int64_t line = 0;  // 1-based line on which the record starts
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  // Reads the next record; false at the end of the input. Throws CsvSyntaxError for an unterminated
  // quoted field or a quote inside an unquoted field; the rest of the file cannot be trusted after
  // either.
  bool next(CsvRecord& record);

  // Sees every block of bytes as it is read from the stream, so a caller can hash exactly the bytes
  // that were parsed (never a second read of a file that may have changed in between).
  void set_block_observer(std::function<void(const char*, std::size_t)> observer) {
    observer_ = std::move(observer);
  }
  // Reads the rest of the input through the observer without parsing it (after an error).
  void drain();

  // Bytes consumed so far (for progress reporting).
  std::uint64_t bytes_read() const { return consumed_; }

 private:
  int get();
  int peek();
  bool fill();
  // Appends the bytes from here to the next one the state machine must see (a delimiter, quote or
  // line end), within the buffer: most of a file is such runs, taken a byte at a time otherwise.
  void take_run(std::string& field, bool quoted);

  std::istream& in_;
  std::function<void(const char*, std::size_t)> observer_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t consumed_ = 0;
  std::int64_t line_ = 1;
  bool started_ = false;
};

}  // namespace pathaudit::ingest
