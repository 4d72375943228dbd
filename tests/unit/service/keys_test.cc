// Key rotation and crypto-shredding over real sealed fields in a real database.
#include "service/keys.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/errors.h"
#include "service/context.h"
#include "service/init.h"
#include "store/data_keys.h"
#include "store/sealed_fields.h"
#include "test_support.h"

using namespace pathaudit;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

struct Fixture {
  testing::TempDir tmp;
  std::string dir = tmp / "data";
  std::unique_ptr<service::Context> ctx;
  service::Principal who = service::Principal::operator_principal("test");

  Fixture() {
    service::initialise({dir, std::string(PATHAUDIT_TEMPLATES_DIR) + "/partnerships/example.json",
                         std::nullopt, "test"});
    ctx = service::Context::open({dir, {}, "test"});
  }

  // Writes `n` events whose reference and notes are sealed under the current primary field key.
  void seal_events(int n) {
    const auto k_holder = ctx->keyring();
    const crypto::Keyring& k = *k_holder;
    ctx->db().write([&](store::Session& s) {
      s << "INSERT OR IGNORE INTO children (id, pseudonym, display_key, created_at) "
           "VALUES (1, x'01', 'C-TEST', 'now')",
          now;
      int next = 0;
      s << "SELECT coalesce(max(id), 0) + 1 FROM events", into(next), now;
      for (int id = next; id < next + n; ++id) {
        auto ref = k.seal("field", "REF-" + std::to_string(id),
                          store::sealed_field_aad("events", "event_ref_sealed", id));
        auto notes = k.seal("field", "canary note " + std::to_string(id),
                            store::sealed_field_aad("events", "notes_sealed", id));
        Poco::Data::BLOB ref_b(ref.data(), ref.size()), notes_b(notes.data(), notes.size());
        std::string hmac = "h" + std::to_string(id);
        s << "INSERT INTO events (id, agency_id, event_ref_hmac, event_ref_sealed, event_type, "
             "event_date, notes_sealed) VALUES (?, 1, ?, ?, 'referral', '2025-01-01', ?)",
            use(id), use(hmac), use(ref_b), use(notes_b), now;
      }
    });
  }

  // Opens every sealed note; returns how many opened with the expected text.
  int open_all(const crypto::Keyring& k) {
    return ctx->db().read([&](store::Session& s) {
      std::vector<int> ids;
      std::vector<Poco::Data::BLOB> notes;
      s << "SELECT id, notes_sealed FROM events ORDER BY id", into(ids), into(notes), now;
      int opened = 0;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        crypto::Bytes b(notes[i].content().begin(), notes[i].content().end());
        if (k.open(b, store::sealed_field_aad("events", "notes_sealed", ids[i])) ==
            "canary note " + std::to_string(ids[i])) {
          ++opened;
        }
      }
      return opened;
    });
  }

  std::int64_t sealed_under(std::uint32_t id) {
    for (const auto& k : service::key_status(*ctx, who)) {
      if (k.id == id)
        return k.sealed_fields;
    }
    return -1;
  }
};

}  // namespace

TEST_CASE("rotate-data-key re-seals every field and the retired key can then be shredded",
          "[keys]") {
  Fixture f;
  f.seal_events(25);
  REQUIRE(f.sealed_under(1) == 50);
  auto p = service::rotate_data_key(*f.ctx, f.who, "field", false, 7);
  REQUIRE(p.new_key_id == 3);
  REQUIRE(p.resealed == 50);
  REQUIRE(p.remaining == 0);
  REQUIRE(f.sealed_under(1) == 0);
  REQUIRE(f.sealed_under(3) == 50);
  REQUIRE(f.open_all(*f.ctx->keyring()) == 25);

  REQUIRE(service::shred_data_key(*f.ctx, f.who, 1, 1) == 0);
  REQUIRE(f.open_all(*f.ctx->keyring()) == 25);
  auto status = service::key_status(*f.ctx, f.who);
  REQUIRE(status[0].state == "shredded");
}

// A rotation interrupted after its new key committed and before any re-seal, as a crash would
// leave it: the new key is primary and every field is still under the old one.
std::uint32_t interrupted_rotation(Fixture& f) {
  const auto k_holder = f.ctx->keyring();
  const crypto::Keyring& k = *k_holder;
  const std::uint32_t id = f.ctx->db().write([&](store::Session& s) {
    crypto::DataKeyRecord key;
    key.id = store::next_data_key_id(s);
    key.purpose = "field";
    key.wrapped = crypto::wrap_data_key(k.master(), key.id, "field", crypto::SecretKey::generate());
    key.state = "active";
    key.created_at = "2026-11-22T00:00:00Z";
    store::insert_data_key(s, key);
    store::make_primary(s, key.id, key.created_at);
    return key.id;
  });
  f.ctx->reload_keyring();
  return id;
}

TEST_CASE("an interrupted re-seal resumes without making another key", "[keys]") {
  Fixture f;
  f.seal_events(6);
  const std::uint32_t id = interrupted_rotation(f);
  REQUIRE(f.sealed_under(1) == 12);
  auto p = service::rotate_data_key(*f.ctx, f.who, "field", true, 5);
  REQUIRE(p.new_key_id == id);
  REQUIRE(p.resealed == 12);
  REQUIRE(p.remaining == 0);
  REQUIRE(f.sealed_under(1) == 0);
  REQUIRE(f.open_all(*f.ctx->keyring()) == 6);
}

TEST_CASE("shredding a key that still seals fields makes exactly those unreadable", "[keys]") {
  Fixture f;
  f.seal_events(4);
  interrupted_rotation(f);
  f.seal_events(2);  // sealed under the new primary
  REQUIRE_THROWS_AS(service::shred_data_key(*f.ctx, f.who, 1, 2),
                    core::ValidationError);  // no confirm
  REQUIRE_THROWS_AS(service::shred_data_key(*f.ctx, f.who, 3, 3), core::ConflictError);  // primary
  REQUIRE_THROWS_AS(service::shred_data_key(*f.ctx, f.who, 9, 9), core::NotFoundError);
  REQUIRE(service::shred_data_key(*f.ctx, f.who, 1, 1) == 8);
  const auto k_holder = f.ctx->keyring();
  const crypto::Keyring& k = *k_holder;
  int unreadable = 0;
  for (int id = 1; id <= 6; ++id) {
    crypto::Bytes b = f.ctx->db().read([&](store::Session& s) {
      Poco::Data::BLOB blob;
      s << "SELECT notes_sealed FROM events WHERE id = ?", use(id), into(blob), now;
      return crypto::Bytes(blob.content().begin(), blob.content().end());
    });
    try {
      k.open(b, store::sealed_field_aad("events", "notes_sealed", id));
    } catch (const core::CryptoError&) {
      ++unreadable;
    }
  }
  REQUIRE(unreadable == 4);
  // A later rotation skips what was shredded instead of failing on it for ever.
  auto after = service::rotate_data_key(*f.ctx, f.who, "field", false, 10);
  REQUIRE(after.remaining == 0);
  REQUIRE(after.resealed == 4);  // the two events sealed under key 3
  // The wrapped bytes are gone from the file, not just marked.
  REQUIRE(f.ctx->db().read([](store::Session& s) {
    int n = 0;
    s << "SELECT count(*) FROM data_keys WHERE id = 1 AND wrapped IS NULL", into(n), now;
    return n;
  }) == 1);
}

TEST_CASE("rotate-master: every field opens under the new master, none under the old", "[keys]") {
  Fixture f;
  f.seal_events(5);
  const std::string new_key = f.tmp / "new.key";
  crypto::create_master_key_file(new_key);
  REQUIRE(service::rotate_master_key(*f.ctx, f.who, new_key) == 2);

  auto reopened = service::Context::open({f.dir, {}, "test"});
  REQUIRE(reopened->settings().master_key_file() == new_key);
  REQUIRE(f.open_all(*reopened->keyring()) == 5);

  auto with_old =
      service::Context::open({f.dir, {{"master_key_file", f.dir + "/master.key"}}, "t"});
  REQUIRE_THROWS_AS(with_old->keyring(), core::CryptoError);
}

TEST_CASE("the pseudonym key never rotates", "[keys]") {
  Fixture f;
  REQUIRE_THROWS_AS(service::rotate_data_key(*f.ctx, f.who, "pseudonym", false, 10),
                    core::ConflictError);
}
