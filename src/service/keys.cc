#include "service/keys.h"

#include <Poco/Data/Statement.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "crypto/keyring.h"
#include "store/data_keys.h"
#include "store/sealed_fields.h"

using Poco::Data::Keywords::now;

namespace pathaudit::service {
namespace {

// Rewrites the master_key_file line of pathaudit.properties, atomically (write then rename).
void point_properties_at(const Settings& settings, const std::string& key_file) {
  const std::string path = settings.properties_path();
  std::ifstream in(path);
  std::ostringstream out;
  std::string line;
  bool replaced = false;
  while (std::getline(in, line)) {
    if (line.rfind("master_key_file", 0) == 0) {
      out << "master_key_file = " << key_file << "\n";
      replaced = true;
    } else {
      out << line << "\n";
    }
  }
  if (!replaced)
    out << "master_key_file = " << key_file << "\n";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream o(tmp, std::ios::trunc);
    o << out.str();
    if (!o.flush())
      throw core::Error("could not write " + tmp);
  }
  Poco::File(tmp).renameTo(path);
}

}  // namespace

std::vector<KeyStatus> key_status(Context& ctx, const Principal& who) {
  require_admin(who, "listing the data keys");
  return ctx.db().read([](store::Session& s) {
    std::vector<KeyStatus> out;
    for (const auto& r : store::load_data_keys(s)) {
      out.push_back({r.id, r.purpose, r.state, r.primary, r.created_at,
                     store::count_fields_sealed_with(s, r.id)});
    }
    return out;
  });
}

int rotate_master_key(Context& ctx, const Principal& who, const std::string& new_master_key_file) {
  require_admin(who, "rotating the master key");
  crypto::SecretKey new_master = crypto::load_master_key_file(new_master_key_file);
  const auto current_holder = ctx.keyring();
  const crypto::Keyring& current = *current_holder;  // proves the current master key opens them
  int rewrapped = ctx.db().write([&](store::Session& s) {
    int n = 0;
    for (const auto& r : store::load_data_keys(s)) {
      if (r.state == "shredded")
        continue;
      crypto::SecretKey key = crypto::unwrap_data_key(current.master(), r.id, r.purpose, r.wrapped);
      store::rewrap_data_key(s, r.id, crypto::wrap_data_key(new_master, r.id, r.purpose, key));
      ++n;
    }
    audit_as(ctx, s, who, "keys.rotate-master", "data_keys",
             "ok: " + std::to_string(n) + " keys re-wrapped");
    return n;
  });
  const std::string absolute = Poco::Path(new_master_key_file).absolute().toString();
  // The WAL still holds the data keys as wrapped by the old master until a checkpoint; if the
  // rotation is because that key leaked, they must not linger there.
  ctx.db().write_checkpoint();
  point_properties_at(ctx.settings(), absolute);
  ctx.reload_keyring();
  return rewrapped;
}

RotationProgress rotate_data_key(Context& ctx, const Principal& who, const std::string& purpose,
                                 bool resume, int batch_size,
                                 const std::function<void(const RotationProgress&)>& progress) {
  require_admin(who, "rotating a data key");
  if (purpose == crypto::kPurposePseudonym) {
    throw core::ConflictError(
        "the pseudonym key cannot rotate: records already imported could no longer be linked to "
        "new ones, and the identifiers to recompute them are deliberately not kept");
  }
  if (purpose != crypto::kPurposeField) {
    throw core::ValidationError("unknown key purpose \"" + purpose + "\"; expected field");
  }
  if (batch_size < 1)
    throw core::ValidationError("batch size must be at least 1");
  RotationProgress p;
  if (!resume) {
    const auto keyring_holder = ctx.keyring();
    const crypto::Keyring& keyring = *keyring_holder;
    p.new_key_id = ctx.db().write([&](store::Session& s) {
      crypto::DataKeyRecord key;
      key.id = store::next_data_key_id(s);
      key.purpose = purpose;
      key.wrapped =
          crypto::wrap_data_key(keyring.master(), key.id, purpose, crypto::SecretKey::generate());
      key.state = "active";
      key.created_at = ctx.clock().now_utc();
      store::insert_data_key(s, key);
      store::make_primary(s, key.id, key.created_at);
      audit_as(ctx, s, who, "keys.rotate-data-key", "data_key:" + std::to_string(key.id),
               "ok: new primary for " + purpose);
      return key.id;
    });
    ctx.reload_keyring();
  }
  const auto keyring_holder = ctx.keyring();
  const crypto::Keyring& keyring = *keyring_holder;
  p.new_key_id = keyring.primary_id(purpose);
  // Fields under a shredded key are gone for good and are skipped; everything under an older key
  // that still exists is re-sealed.
  std::vector<std::uint32_t> old_keys;
  for (const auto& r : ctx.db().read([](store::Session& s) { return store::load_data_keys(s); })) {
    if (r.purpose == purpose && r.id != p.new_key_id && r.state != "shredded") {
      old_keys.push_back(r.id);
    }
  }
  for (std::uint32_t old_key : old_keys) {
    for (const store::SealedColumn& column : store::sealed_columns()) {
      for (;;) {
        int done = 0;
        try {
          done = ctx.db().write([&](store::Session& s) {
            auto batch = store::fields_sealed_with(s, column, old_key, batch_size);
            for (const auto& [row_id, sealed] : batch) {
              const std::string aad = store::sealed_field_aad(column.table, column.column, row_id);
              store::update_sealed_field(s, column, row_id,
                                         keyring.seal(purpose, keyring.open(sealed, aad), aad));
            }
            return static_cast<int>(batch.size());
          });
        } catch (const core::CryptoError&) {
          ctx.db().write([&](store::Session& s) {
            audit_as(ctx, s, who, "keys.reseal", std::string(column.table) + "/" + column.column,
                     "refused: a sealed field does not open");
          });
          throw core::CryptoError(std::string("re-sealing stopped: a field in ") + column.table +
                                  "." + column.column +
                                  " does not open (altered or moved); the failure is in the "
                                  "audit log");
        }
        p.resealed += done;
        if (progress)
          progress(p);
        if (done < batch_size)
          break;
      }
    }
  }
  p.remaining = ctx.db().read([&](store::Session& s) {
    std::int64_t left = 0;
    for (std::uint32_t old_key : old_keys)
      left += store::count_fields_sealed_with(s, old_key);
    return left;
  });
  ctx.db().write([&](store::Session& s) {
    audit_as(ctx, s, who, "keys.reseal", "data_key:" + std::to_string(p.new_key_id),
             "ok: " + std::to_string(p.resealed) + " fields re-sealed, " +
                 std::to_string(p.remaining) + " remaining");
  });
  return p;
}

std::int64_t shred_data_key(Context& ctx, const Principal& who, std::uint32_t key_id,
                            std::uint32_t confirm) {
  require_admin(who, "shredding a data key");
  if (confirm != key_id) {
    throw core::ValidationError("confirmation does not match: repeat the key id to shred it");
  }
  const std::int64_t lost = ctx.db().write([&](store::Session& s) {
    const auto keys = store::load_data_keys(s);
    const crypto::DataKeyRecord* key = nullptr;
    for (const auto& r : keys) {
      if (r.id == key_id)
        key = &r;
    }
    if (!key)
      throw core::NotFoundError("no data key " + std::to_string(key_id));
    if (key->state == "shredded") {
      throw core::ConflictError("data key " + std::to_string(key_id) + " is already shredded");
    }
    if (key->primary) {
      throw core::ConflictError("data key " + std::to_string(key_id) +
                                " is the primary key of its purpose; rotate first");
    }
    const std::int64_t n = store::count_fields_sealed_with(s, key_id);
    store::shred_data_key(s, key_id, ctx.clock().now_utc());
    audit_as(ctx, s, who, "keys.shred", "data_key:" + std::to_string(key_id),
             "ok: " + std::to_string(n) + " fields made unreadable");
    return n;
  });
  // Move the change out of the WAL so no copy of the wrapped key survives there.
  ctx.db().write_checkpoint();
  ctx.reload_keyring();
  return lost;
}

}  // namespace pathaudit::service
