#include "store/sealed_fields.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::store {
namespace {

// The 4-byte big-endian key id as it appears at offset 1 of a sealed field.
Poco::Data::BLOB key_id_blob(std::uint32_t id) {
  const unsigned char b[4] = {static_cast<unsigned char>(id >> 24),
                              static_cast<unsigned char>(id >> 16),
                              static_cast<unsigned char>(id >> 8), static_cast<unsigned char>(id)};
  return Poco::Data::BLOB(b, 4);
}

}  // namespace

const std::vector<SealedColumn>& sealed_columns() {
  static const std::vector<SealedColumn> columns{
      {"events", "event_ref_sealed"},
      {"events", "notes_sealed"},
      {"answers", "value_sealed"},
      {"answers", "moderation_rationale_sealed"},
      {"answers", "qa_comment_sealed"},
      {"flags", "status_reason_sealed"},
      {"actions", "description_sealed"},
      {"discussions", "learning_sealed"},
      {"live_concerns", "description_sealed"},
      {"exports", "reason_sealed"},
  };
  return columns;
}

std::string sealed_field_aad(std::string_view table, std::string_view column, std::int64_t row_id) {
  std::string aad;
  aad.reserve(table.size() + column.size() + 24);
  aad.append(table).append("|").append(column).append("|").append(std::to_string(row_id));
  return aad;
}

std::int64_t count_fields_sealed_with(Session& s, std::uint32_t key_id) {
  std::int64_t total = 0;
  for (const SealedColumn& c : sealed_columns()) {
    Poco::Data::BLOB id = key_id_blob(key_id);
    std::int64_t n = 0;
    s << "SELECT count(*) FROM " << c.table << " WHERE " << c.column << " IS NOT NULL AND substr("
      << c.column << ", 2, 4) = ?",
        use(id), into(n), now;
    total += n;
  }
  return total;
}

std::vector<std::pair<std::int64_t, crypto::Bytes>> fields_sealed_with(Session& s,
                                                                       const SealedColumn& c,
                                                                       std::uint32_t key_id,
                                                                       int limit) {
  std::vector<std::int64_t> ids;
  std::vector<Poco::Data::BLOB> blobs;
  Poco::Data::BLOB id = key_id_blob(key_id);
  s << "SELECT id, " << c.column << " FROM " << c.table << " WHERE " << c.column
    << " IS NOT NULL AND substr(" << c.column << ", 2, 4) = ? ORDER BY id LIMIT ?",
      use(id), use(limit), into(ids), into(blobs), now;
  std::vector<std::pair<std::int64_t, crypto::Bytes>> out;
  out.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& raw = blobs[i].content();
    out.emplace_back(ids[i], crypto::Bytes(raw.begin(), raw.end()));
  }
  return out;
}

void update_sealed_field(Session& s, const SealedColumn& c, std::int64_t row_id,
                         const crypto::Bytes& sealed) {
  Poco::Data::BLOB blob(reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size());
  std::int64_t id = row_id;
  s << "UPDATE " << c.table << " SET " << c.column << " = ? WHERE id = ?", use(blob), use(id), now;
}

}  // namespace pathaudit::store
