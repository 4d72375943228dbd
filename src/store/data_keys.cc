#include "store/data_keys.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include "core/errors.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::store {
namespace {

Poco::Data::BLOB to_blob(const crypto::Bytes& b) {
  return Poco::Data::BLOB(reinterpret_cast<const unsigned char*>(b.data()), b.size());
}

}  // namespace

std::vector<crypto::DataKeyRecord> load_data_keys(Session& s) {
  std::vector<crypto::DataKeyRecord> out;
  Poco::Data::Statement q(s);
  int id = 0, primary = 0;
  std::string purpose, state, created_at;
  Poco::Nullable<Poco::Data::BLOB> wrapped;
  q << "SELECT id, purpose, wrapped, is_primary, state, created_at FROM data_keys ORDER BY id",
      into(id), into(purpose), into(wrapped), into(primary), into(state), into(created_at),
      Poco::Data::Keywords::range(0, 1);
  while (!q.done()) {
    if (q.execute() == 0)
      break;
    crypto::DataKeyRecord r;
    r.id = static_cast<std::uint32_t>(id);
    r.purpose = purpose;
    if (!wrapped.isNull()) {
      const auto& raw = wrapped.value().content();
      r.wrapped.assign(raw.begin(), raw.end());
    }
    r.primary = primary != 0;
    r.state = state;
    r.created_at = created_at;
    out.push_back(std::move(r));
  }
  return out;
}

std::uint32_t next_data_key_id(Session& s) {
  int max_id = 0;
  s << "SELECT coalesce(max(id), 0) FROM data_keys", into(max_id), now;
  return static_cast<std::uint32_t>(max_id + 1);
}

void insert_data_key(Session& s, const crypto::DataKeyRecord& key) {
  int id = static_cast<int>(key.id);
  int primary = key.primary ? 1 : 0;
  std::string purpose = key.purpose, state = key.state, created_at = key.created_at;
  Poco::Data::BLOB wrapped = to_blob(key.wrapped);
  s << "INSERT INTO data_keys (id, purpose, wrapped, is_primary, state, created_at) "
       "VALUES (?, ?, ?, ?, ?, ?)",
      use(id), use(purpose), use(wrapped), use(primary), use(state), use(created_at), now;
}

void rewrap_data_key(Session& s, std::uint32_t id, const crypto::Bytes& wrapped) {
  int key_id = static_cast<int>(id);
  Poco::Data::BLOB blob = to_blob(wrapped);
  s << "UPDATE data_keys SET wrapped = ? WHERE id = ? AND state <> 'shredded'", use(blob),
      use(key_id), now;
}

void make_primary(Session& s, std::uint32_t id, const std::string& at) {
  int key_id = static_cast<int>(id);
  std::string when = at;
  std::string purpose;
  Poco::Data::Statement q(s);
  q << "SELECT purpose FROM data_keys WHERE id = ? AND state = 'active'", use(key_id),
      into(purpose);
  if (q.execute() == 0)
    throw core::NotFoundError("no active data key " + std::to_string(id));
  s << "UPDATE data_keys SET is_primary = 0, state = 'retired', retired_at = ? "
       "WHERE purpose = ? AND is_primary = 1 AND id <> ?",
      use(when), use(purpose), use(key_id), now;
  s << "UPDATE data_keys SET is_primary = 1 WHERE id = ?", use(key_id), now;
}

void shred_data_key(Session& s, std::uint32_t id, const std::string& at) {
  int key_id = static_cast<int>(id);
  std::string when = at;
  s << "UPDATE data_keys SET wrapped = NULL, state = 'shredded', is_primary = 0, shredded_at = ? "
       "WHERE id = ?",
      use(when), use(key_id), now;
}

}  // namespace pathaudit::store
