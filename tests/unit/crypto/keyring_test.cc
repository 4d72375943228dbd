// Master key files, data-key wrapping and the Keyring's rules (primary per purpose, open by id,
// shredding).
#include "crypto/keyring.h"

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "test_support.h"

using namespace pathaudit::crypto;
using pathaudit::core::CryptoError;
using pathaudit::core::NotFoundError;
using pathaudit::core::ValidationError;
using pathaudit::testing::TempDir;

namespace {

SecretKey key_of(std::uint8_t fill) {
  const Bytes raw(32, fill);
  return SecretKey::from_bytes(raw.data(), raw.size());
}

DataKeyRecord record(const SecretKey& master, std::uint32_t id, std::string purpose, bool primary,
                     std::string state = "active") {
  DataKeyRecord r;
  r.id = id;
  r.purpose = std::move(purpose);
  r.primary = primary;
  r.state = std::move(state);
  r.created_at = "2024-01-01T00:00:00Z";
  if (r.state != "shredded")
    r.wrapped = wrap_data_key(master, id, r.purpose, SecretKey::generate());
  return r;
}

void write_key_file(const std::string& path, std::size_t size, mode_t mode) {
  pathaudit::testing::write_file(path, std::string(size, 'k'));
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// The ValidationError message for loading `path`; fails the test if it loads.
std::string load_error(const std::string& path) {
  try {
    load_master_key_file(path);
  } catch (const ValidationError& e) {
    return e.what();
  }
  FAIL("master key file " << path << " was accepted");
  return "";
}

}  // namespace

TEST_CASE("a 0400 master key file of 32 bytes loads", "[crypto][keyring]") {
  TempDir dir;
  const std::string path = dir / "master.key";
  const Bytes raw = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  pathaudit::testing::write_file(path, std::string(raw.begin(), raw.end()));
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  const SecretKey key = load_master_key_file(path);
  CHECK(constant_time_equal(key.data(), raw.data(), 32));
  // 0600 is owner-only too.
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  CHECK_NOTHROW(load_master_key_file(path));
}

TEST_CASE("unsafe master key files are refused with a message naming the path",
          "[crypto][keyring]") {
  TempDir dir;
  SECTION("missing") {
    const std::string path = dir / "absent.key";
    const std::string msg = load_error(path);
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("does not exist"));
  }
  SECTION("world readable 0644") {
    const std::string path = dir / "m.key";
    write_key_file(path, 32, 0644);
    const std::string msg = load_error(path);
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("0644") && Catch::Contains("group"));
  }
  SECTION("group readable 0440") {
    const std::string path = dir / "m.key";
    write_key_file(path, 32, 0440);
    CHECK_THAT(load_error(path), Catch::Contains(path) && Catch::Contains("0440"));
  }
  SECTION("group writable 0420") {
    const std::string path = dir / "m.key";
    write_key_file(path, 32, 0420);
    CHECK_THAT(load_error(path), Catch::Contains(path));
  }
  SECTION("others executable 0401") {
    const std::string path = dir / "m.key";
    write_key_file(path, 32, 0401);
    CHECK_THAT(load_error(path), Catch::Contains(path));
  }
  SECTION("short file") {
    const std::string path = dir / "m.key";
    write_key_file(path, 31, 0400);
    CHECK_THAT(load_error(path),
               Catch::Contains(path) && Catch::Contains("is 31 bytes, expected 32"));
  }
  SECTION("hex instead of raw bytes") {
    const std::string path = dir / "m.key";
    write_key_file(path, 64, 0400);
    CHECK_THAT(load_error(path), Catch::Contains("is 64 bytes, expected 32"));
  }
  SECTION("empty file") {
    const std::string path = dir / "m.key";
    write_key_file(path, 0, 0400);
    CHECK_THAT(load_error(path), Catch::Contains("is 0 bytes"));
  }
  SECTION("a directory") {
    const std::string path = dir / "d";
    std::filesystem::create_directory(path);
    REQUIRE(::chmod(path.c_str(), 0700) == 0);
    CHECK_THAT(load_error(path), Catch::Contains(path) && Catch::Contains("not a regular file"));
  }
  SECTION("a FIFO does not block") {
    const std::string path = dir / "fifo";
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    CHECK_THAT(load_error(path), Catch::Contains("not a regular file"));
  }
}

TEST_CASE("the key file's contents never appear in messages", "[crypto][keyring]") {
  TempDir dir;
  const std::string path = dir / "m.key";
  pathaudit::testing::write_file(path, std::string(32, 'Q'));
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  CHECK_THAT(load_error(path), !Catch::Contains("QQQQ") && !Catch::Contains("5151"));
}

TEST_CASE("create_master_key_file makes a 0400 file of 32 random bytes and never overwrites",
          "[crypto][keyring]") {
  TempDir dir;
  const std::string path = dir / "master.key";
  create_master_key_file(path);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0400);
  CHECK(st.st_size == 32);
  const std::string first = pathaudit::testing::read_file(path);
  CHECK_NOTHROW(load_master_key_file(path));

  CHECK_THROWS_AS(create_master_key_file(path), ValidationError);
  CHECK_THROWS_WITH(create_master_key_file(path),
                    Catch::Contains(path) && Catch::Contains("already exists"));
  CHECK(pathaudit::testing::read_file(path) == first);

  const std::string second = dir / "second.key";
  create_master_key_file(second);
  CHECK(pathaudit::testing::read_file(second) != first);
}

TEST_CASE("create_master_key_file refuses a symlink and a missing directory", "[crypto][keyring]") {
  TempDir dir;
  const std::string target = dir / "target";
  const std::string link = dir / "link.key";
  std::filesystem::create_symlink(target, link);
  CHECK_THROWS_AS(create_master_key_file(link), ValidationError);
  CHECK_FALSE(std::filesystem::exists(target));
  CHECK_THROWS_AS(create_master_key_file(dir / "no/such/dir/master.key"), ValidationError);
}

TEST_CASE("data keys wrap and unwrap only with the same master, id and purpose",
          "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  const SecretKey data = key_of(2);
  const Bytes wrapped = wrap_data_key(master, 3, "field", data);
  CHECK(wrapped.size() == kSealedOverhead + 32);
  CHECK(sealed_key_id(wrapped) == 0);  // 0 = wrapped by the master key
  const SecretKey back = unwrap_data_key(master, 3, "field", wrapped);
  CHECK(constant_time_equal(back.data(), data.data(), 32));

  CHECK_THROWS_AS(unwrap_data_key(key_of(9), 3, "field", wrapped), CryptoError);
  CHECK_THROWS_AS(unwrap_data_key(master, 4, "field", wrapped), CryptoError);
  CHECK_THROWS_AS(unwrap_data_key(master, 3, "pseudonym", wrapped), CryptoError);
  Bytes tampered = wrapped;
  tampered[20] ^= 1;
  CHECK_THROWS_AS(unwrap_data_key(master, 3, "field", tampered), CryptoError);
  CHECK_THROWS_AS(unwrap_data_key(master, 3, "field", Bytes(10)), CryptoError);
  CHECK_THROWS_AS(wrap_data_key(master, 0, "field", data), ValidationError);

  // A field sealed with key id 0 under the master is not a wrapped key unless its length fits.
  CHECK_THROWS_AS(unwrap_data_key(master, 3, "field", seal(master, 0, "short", "x")), CryptoError);
}

TEST_CASE("Keyring seals with the primary key and opens by the id in the field",
          "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  std::vector<DataKeyRecord> records = {record(master, 1, "field", true),
                                        record(master, 2, "pseudonym", true)};
  const Keyring first(master.clone(), records);
  CHECK(first.primary_id("field") == 1);
  CHECK(first.primary_id("pseudonym") == 2);
  CHECK_THROWS_AS(first.primary_id("session"), NotFoundError);
  const Bytes old_field = first.seal("field", "old note", "events|notes|1");
  CHECK(sealed_key_id(old_field) == 1);
  CHECK(first.open(old_field, "events|notes|1") == "old note");

  // Rotation: key 1 retired, key 3 the new primary.
  records[0].primary = false;
  records[0].state = "retired";
  records.push_back(record(master, 3, "field", true));
  const Keyring second(master.clone(), records);
  CHECK(second.primary_id("field") == 3);
  const Bytes new_field = second.seal("field", "new note", "events|notes|2");
  // A sealer seals under the primary key too.
  const Bytes from_sealer = second.sealer("field").seal("batch note", "events|notes|5");
  CHECK(sealed_key_id(from_sealer) == 3);
  CHECK(second.open(from_sealer, "events|notes|5") == "batch note");
  CHECK(sealed_key_id(new_field) == 3);
  CHECK(second.open(new_field, "events|notes|2") == "new note");
  CHECK(second.open(old_field, "events|notes|1") == "old note");
  CHECK(second.has_key(1));
  CHECK_THROWS_AS(second.open(old_field, "events|notes|2"), CryptoError);

  // Shredding key 1: what it sealed is gone for good, even if a store forgot to erase the
  // wrapped bytes.
  records[0].state = "shredded";
  CHECK_THROWS_AS(Keyring(master.clone(), records).open(old_field, "events|notes|1"), CryptoError);
  records[0].wrapped.clear();
  const Keyring third(master.clone(), records);
  CHECK_FALSE(third.has_key(1));
  CHECK(third.is_shredded(1));
  CHECK_THROWS_WITH(third.open(old_field, "events|notes|1"),
                    Catch::Contains("data key 1") && Catch::Contains("shredded"));
  CHECK(third.open(new_field, "events|notes|2") == "new note");

  // A field naming a key the keyring never had.
  const Bytes foreign = seal(key_of(7), 99, "x", "events|notes|3");
  CHECK_THROWS_WITH(third.open(foreign, "events|notes|3"), Catch::Contains("data key 99"));
}

TEST_CASE("Keyring keeps field and pseudonym keys apart", "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  const Keyring ring(master.clone(),
                     {record(master, 1, "field", true), record(master, 2, "pseudonym", true)});
  CHECK_THROWS_AS(ring.seal("pseudonym", "x", "a"), ValidationError);
  CHECK_THROWS_AS(ring.sealer("pseudonym"), ValidationError);
  CHECK_THROWS_AS(ring.hmac("field", "x"), ValidationError);
  const Bytes with_hmac_key = seal(key_of(3), 2, "x", "a");  // claims key 2, the pseudonym key
  CHECK_THROWS_AS(ring.open(with_hmac_key, "a"), CryptoError);
}

TEST_CASE("Keyring hmac uses the primary key of the purpose", "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  const SecretKey pkey = key_of(0x42);
  DataKeyRecord r;
  r.id = 5;
  r.purpose = "pseudonym";
  r.primary = true;
  r.state = "active";
  r.wrapped = wrap_data_key(master, 5, "pseudonym", pkey);
  const Keyring ring(master.clone(), {r});
  CHECK(ring.hmac("pseudonym", "data") == hmac_sha256(pkey.data(), 32, "data"));
}

TEST_CASE("Keyring refuses inconsistent records", "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  using Records = std::vector<DataKeyRecord>;
  CHECK_THROWS_AS(Keyring(master.clone(), Records{record(master, 1, "field", true),
                                                  record(master, 2, "field", true)}),
                  ValidationError);  // two primaries
  CHECK_THROWS_AS(Keyring(master.clone(), Records{record(master, 1, "field", true),
                                                  record(master, 1, "pseudonym", true)}),
                  ValidationError);  // duplicate id
  CHECK_THROWS_AS(Keyring(master.clone(), Records{record(master, 1, "field", true, "retired")}),
                  ValidationError);  // primary but retired
  CHECK_THROWS_AS(Keyring(master.clone(), Records{record(master, 1, "field", false, "lost")}),
                  ValidationError);  // unknown state
}

TEST_CASE("Keyring names only the key id when a key does not unwrap", "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  std::vector<DataKeyRecord> records = {record(master, 1, "field", true),
                                        record(master, 2, "pseudonym", true)};
  CHECK_THROWS_WITH(Keyring(key_of(2), records), Catch::Contains("data key 1"));
  records[1].wrapped[30] ^= 1;
  try {
    Keyring ring(master.clone(), records);
    FAIL("expected a throw");
  } catch (const CryptoError& e) {
    const std::string what = e.what();
    CHECK(what.find("data key 2") != std::string::npos);
    CHECK(what.find(to_hex(records[1].wrapped).substr(0, 8)) == std::string::npos);
  }
}

TEST_CASE("Keyring can be read from many threads at once", "[crypto][keyring]") {
  const SecretKey master = key_of(1);
  const Keyring ring(master.clone(),
                     {record(master, 1, "field", true), record(master, 2, "pseudonym", true)});
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string ad = "events|notes|" + std::to_string(t * 1000 + i);
        const std::string text = "note " + std::to_string(i);
        if (ring.open(ring.seal("field", text, ad), ad) != text)
          ++failures;
        if (ring.hmac("pseudonym", text) != ring.hmac("pseudonym", text))
          ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(failures == 0);
}
