#include "crypto/pseudonym.h"

#include <catch2/catch.hpp>

#include "core/errors.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"

using namespace pathaudit::crypto;
using pathaudit::core::ValidationError;

namespace {

Keyring keyring_with_pseudonym_key(std::uint8_t fill) {
  const Bytes m(32, 1), p(32, fill);
  SecretKey master = SecretKey::from_bytes(m.data(), m.size());
  DataKeyRecord r;
  r.id = 2;
  r.purpose = "pseudonym";
  r.primary = true;
  r.state = "active";
  r.wrapped = wrap_data_key(master, 2, "pseudonym", SecretKey::from_bytes(p.data(), p.size()));
  return Keyring(std::move(master), {r});
}

}  // namespace

TEST_CASE("same value and kind give the same pseudonym", "[crypto][pseudonym]") {
  const Keyring ring = keyring_with_pseudonym_key(7);
  CHECK(pseudonym(ring, IdentifierKind::nhs_number, "9434765919") ==
        pseudonym(ring, IdentifierKind::nhs_number, "9434765919"));
  CHECK(pseudonym(ring, IdentifierKind::nhs_number, "9434765919") !=
        pseudonym(ring, IdentifierKind::nhs_number, "9434765870"));
}

TEST_CASE("pseudonym is HMAC-SHA256 of the documented prefix and value", "[crypto][pseudonym]") {
  const Keyring ring = keyring_with_pseudonym_key(7);
  const Bytes key(32, 7);
  CHECK(pseudonym(ring, IdentifierKind::nhs_number, "9434765919") ==
        hmac_sha256(key.data(), 32, std::string("pathaudit/v1/nhs\x1f") + "9434765919"));
  CHECK(domain_prefix(IdentifierKind::local_id) == "pathaudit/v1/local-id\x1f");
  CHECK(domain_prefix(IdentifierKind::name_dob) == "pathaudit/v1/name-dob\x1f");
  CHECK(domain_prefix(IdentifierKind::phonetic_dob) == "pathaudit/v1/phonetic-dob\x1f");
  CHECK(domain_prefix(IdentifierKind::event_ref) == "pathaudit/v1/event-ref\x1f");
}

TEST_CASE("the same string of different kinds never collides", "[crypto][pseudonym]") {
  const Keyring ring = keyring_with_pseudonym_key(7);
  const IdentifierKind kinds[] = {IdentifierKind::nhs_number, IdentifierKind::local_id,
                                  IdentifierKind::name_dob, IdentifierKind::phonetic_dob,
                                  IdentifierKind::event_ref};
  for (IdentifierKind a : kinds) {
    for (IdentifierKind b : kinds) {
      if (a == b)
        continue;
      CHECK(pseudonym(ring, a, "1234567890") != pseudonym(ring, b, "1234567890"));
    }
  }
}

TEST_CASE("different partnership keys give different pseudonyms", "[crypto][pseudonym]") {
  CHECK(pseudonym(keyring_with_pseudonym_key(7), IdentifierKind::nhs_number, "9434765919") !=
        pseudonym(keyring_with_pseudonym_key(8), IdentifierKind::nhs_number, "9434765919"));
}

TEST_CASE("empty identifiers are refused", "[crypto][pseudonym]") {
  const Keyring ring = keyring_with_pseudonym_key(7);
  CHECK_THROWS_AS(pseudonym(ring, IdentifierKind::nhs_number, ""), ValidationError);
}

TEST_CASE("compound values join with 0x1F and cannot be confused", "[crypto][pseudonym]") {
  CHECK(compound_value({"CSC", "12345"}) ==
        "CSC\x1f"
        "12345");
  CHECK(compound_value({"smith", "zoe", "2015-03-01"}) ==
        "smith\x1fzoe\x1f"
        "2015-03-01");
  CHECK_THROWS_AS(compound_value({"CSC", ""}), ValidationError);
  CHECK_THROWS_AS(compound_value({"CSC\x1f"
                                  "1",
                                  "2"}),
                  ValidationError);
  CHECK_THROWS_AS(compound_value({}), ValidationError);
}

TEST_CASE("display_key is stable, short and does not reveal the pseudonym", "[crypto][pseudonym]") {
  const Keyring ring = keyring_with_pseudonym_key(7);
  const Pseudonym p = pseudonym(ring, IdentifierKind::nhs_number, "9434765919");
  const std::string key = display_key(p);
  CHECK(key == display_key(p));
  REQUIRE(key.size() == 12);
  CHECK(key.starts_with("C-"));
  CHECK(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 2) == std::string::npos);
  const std::string hex = to_hex(p.data(), p.size());
  for (std::size_t i = 0; i + 6 <= hex.size(); i += 2) {
    CHECK(key.find(hex.substr(i, 6)) == std::string::npos);
  }
  // Fixed vector so the derivation cannot change silently (display keys appear in QA exports).
  // Computed independently: base64.b32encode(sha256(b"pathaudit/display-key" + bytes(32)))[:10].
  const Pseudonym zero{};
  CHECK(display_key(zero) == "C-FC2VZ4TY4Y");
  CHECK(display_key(p) != display_key(zero));
}

TEST_CASE("a longer display key extends the short one", "[crypto][pseudonym]") {
  pathaudit::crypto::Pseudonym zero{};
  const std::string short_key = pathaudit::crypto::display_key(zero);
  const std::string long_key = pathaudit::crypto::display_key(zero, 16);
  CHECK(long_key.size() == 18);
  CHECK(long_key.rfind(short_key, 0) == 0);
  CHECK_THROWS_AS(pathaudit::crypto::display_key(zero, 9), pathaudit::core::ValidationError);
  CHECK_THROWS_AS(pathaudit::crypto::display_key(zero, 21), pathaudit::core::ValidationError);
}
