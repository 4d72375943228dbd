// Interoperability: an independent Python reader written only from docs/security.md
// (open_sealed.py, python3-cryptography) opens what pathaudit seals, and pathaudit opens what it
// seals. This pins the documented format and shows the data is recoverable with standard tools.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/keyring.h"
#include "test_support.h"

using namespace pathaudit::crypto;
using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kScript =
    std::string(PATHAUDIT_SOURCE_DIR) + "/tests/integration/crypto/open_sealed.py";

SecretKey key_from_hex(const std::string& hex) {
  const Bytes raw = from_hex(hex);
  return SecretKey::from_bytes(raw.data(), raw.size());
}

const std::string kKeyHex = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";

pathaudit::testing::RunResult python(std::vector<std::string> args) {
  args.insert(args.begin(), {PYTHON3, kScript});
  return run(args);
}

}  // namespace

TEST_CASE("Python opens a field sealed by pathaudit", "[crypto][interop]") {
  TempDir dir;
  const SecretKey key = key_from_hex(kKeyHex);
  const std::string ad = "events|notes|12345";
  for (const std::string& plaintext :
       {std::string("Disclosure to class teacher; strategy discussion same day."),
        std::string("Zoë's account, in full:\n\"…\"\t\xe2\x9c\x93"), std::string(),
        std::string(5000, 'n')}) {
    const Bytes sealed = seal(key, 3, plaintext, ad);
    write_file(dir / "key.hex", kKeyHex);
    write_file(dir / "sealed.hex", to_hex(sealed));
    write_file(dir / "ad", ad);
    const auto r = python({dir / "key.hex", dir / "sealed.hex", dir / "ad"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out == plaintext);
  }
}

TEST_CASE("Python refuses a field with the wrong associated data or an altered byte",
          "[crypto][interop]") {
  TempDir dir;
  const SecretKey key = key_from_hex(kKeyHex);
  Bytes sealed = seal(key, 3, "note", "events|notes|1");
  write_file(dir / "key.hex", kKeyHex);
  write_file(dir / "sealed.hex", to_hex(sealed));
  write_file(dir / "ad", "events|notes|2");
  CHECK(python({dir / "key.hex", dir / "sealed.hex", dir / "ad"}).status == 1);
  write_file(dir / "ad", "events|notes|1");
  CHECK(python({dir / "key.hex", dir / "sealed.hex", dir / "ad"}).status == 0);
  sealed[3] ^= 1;  // key id byte: part of the AAD
  write_file(dir / "sealed.hex", to_hex(sealed));
  CHECK(python({dir / "key.hex", dir / "sealed.hex", dir / "ad"}).status == 1);
}

TEST_CASE("pathaudit opens a field sealed by Python", "[crypto][interop]") {
  TempDir dir;
  const SecretKey key = key_from_hex(kKeyHex);
  const std::string plaintext = "Sealed outside pathaudit: ÉLODIE, 2015-03-01";
  const std::string ad = "reviews|comment|77";
  write_file(dir / "key.hex", kKeyHex);
  write_file(dir / "plain", plaintext);
  write_file(dir / "ad", ad);
  const auto r = python({"--seal", dir / "key.hex", "258", dir / "plain", dir / "ad"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const Bytes sealed = from_hex(r.out);
  CHECK(sealed_key_id(sealed) == 258);
  CHECK(open(key, sealed, ad) == plaintext);
  CHECK_THROWS_AS(open(key, sealed, "reviews|comment|78"), pathaudit::core::CryptoError);
}

TEST_CASE("Python unwraps a data key with the master key and opens what it sealed",
          "[crypto][interop]") {
  // The recovery path of docs/security.md: master key file + data_keys row + sealed field.
  TempDir dir;
  const SecretKey master = key_from_hex(kKeyHex);
  const SecretKey data_key = SecretKey::generate();
  const Bytes wrapped = wrap_data_key(master, 4, "field", data_key);
  DataKeyRecord record{4, "field", wrapped, true, "active", "2024-01-01T00:00:00Z"};
  const Keyring ring(master.clone(), {record});
  const Bytes sealed = ring.seal("field", "note under a data key", "events|notes|5");

  write_file(dir / "master.hex", kKeyHex);
  write_file(dir / "wrapped.hex", to_hex(wrapped));
  const auto unwrapped =
      python({"--unwrap", dir / "master.hex", "4", "field", dir / "wrapped.hex"});
  INFO(unwrapped.err);
  REQUIRE(unwrapped.status == 0);
  CHECK(unwrapped.out == to_hex(data_key.data(), SecretKey::kSize));
  CHECK(python({"--unwrap", dir / "master.hex", "5", "field", dir / "wrapped.hex"}).status == 1);
  CHECK(python({"--unwrap", dir / "master.hex", "4", "pseudonym", dir / "wrapped.hex"}).status ==
        1);

  write_file(dir / "data.hex", unwrapped.out);
  write_file(dir / "sealed.hex", to_hex(sealed));
  write_file(dir / "ad", "events|notes|5");
  const auto opened = python({dir / "data.hex", dir / "sealed.hex", dir / "ad"});
  REQUIRE(opened.status == 0);
  CHECK(opened.out == "note under a data key");
}
