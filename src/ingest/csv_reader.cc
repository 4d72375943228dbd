#include "ingest/csv_reader.h"

#include "core/errors.h"

namespace pathaudit::ingest {

bool CsvReader::fill() {
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  end_ = static_cast<std::size_t>(in_.gcount());
  pos_ = 0;
  if (observer_ && end_ > 0)
    observer_(buf_.data(), end_);
  return end_ > 0;
}

void CsvReader::drain() {
  pos_ = end_;
  while (fill())
    pos_ = end_;
}

int CsvReader::get() {
  if (pos_ == end_ && !fill())
    return -1;
  ++consumed_;
  return static_cast<unsigned char>(buf_[pos_++]);
}

void CsvReader::take_run(std::string& field, bool quoted) {
  const char* from = buf_.data() + pos_;
  const char* end = buf_.data() + end_;
  const char* to = from;
  if (quoted) {
    while (to < end && *to != '"' && *to != '\n')
      ++to;
  } else {
    while (to < end && *to != ',' && *to != '"' && *to != '\r' && *to != '\n')
      ++to;
  }
  field.append(from, to);
  pos_ += static_cast<std::size_t>(to - from);
  consumed_ += static_cast<std::uint64_t>(to - from);
}

int CsvReader::peek() {
  if (pos_ == end_ && !fill())
    return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

bool CsvReader::next(CsvRecord& record) {
  if (!started_) {
    started_ = true;
    if (peek() == 0xEF) {
      // A UTF-8 byte-order mark, as spreadsheet programs write; anything else starting 0xEF is
      // data.
      get();
      if (get() != 0xBB || get() != 0xBF) {
        throw CsvSyntaxError(1, 1, "the file starts with an incomplete byte-order mark");
      }
    }
  }
  record.fields.clear();
  record.line = line_;
  if (peek() == -1)
    return false;

  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field began with a quote
  for (;;) {
    if (quoted || !was_quoted)  // after a closing quote every byte is the state machine's
      take_run(field, quoted);
    int c = get();
    if (quoted) {
      if (c == -1) {
        throw CsvSyntaxError(record.line, static_cast<int>(record.fields.size()) + 1,
                             "a quoted field is not closed before the end of the file");
      }
      if (c == '"') {
        if (peek() == '"') {
          get();
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n')
          ++line_;
        field += static_cast<char>(c);
      }
      continue;
    }
    if (c == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      continue;
    }
    if (c == '\r' && peek() == '\n')
      c = get();
    if (c == '\n' || c == -1) {
      if (c == '\n')
        ++line_;
      record.fields.push_back(std::move(field));
      return true;
    }
    if (c == '"') {
      if (!field.empty() || was_quoted) {
        throw CsvSyntaxError(line_, static_cast<int>(record.fields.size()) + 1,
                             "a quote inside an unquoted field; quote the whole field and double "
                             "the quotes inside it");
      }
      quoted = true;
      was_quoted = true;
      continue;
    }
    if (was_quoted) {
      throw CsvSyntaxError(line_, static_cast<int>(record.fields.size()) + 1,
                           "characters after a closing quote; expected a comma or the end of the "
                           "line");
    }
    field += static_cast<char>(c);
  }
}

}  // namespace pathaudit::ingest
