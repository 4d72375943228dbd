// The sealed-field format: round trips, and every way a stored ciphertext could be altered, moved
// or opened with the wrong key must fail loudly.
#include "crypto/aead.h"

#include <catch2/catch.hpp>
#include <set>

#include "core/errors.h"
#include "crypto/bytes.h"

using namespace pathaudit::crypto;
using pathaudit::core::CryptoError;

namespace {

SecretKey key_of(std::uint8_t fill) {
  const Bytes raw(32, fill);
  return SecretKey::from_bytes(raw.data(), raw.size());
}

}  // namespace

TEST_CASE("seal and open round-trip, including empty and binary plaintexts", "[crypto][aead]") {
  const SecretKey key = key_of(1);
  for (const std::string& text :
       {std::string(), std::string("Disclosure made to class teacher."), std::string(1, '\0'),
        std::string("Zoë said \"no\"\n\ttwice"), std::string(100000, 'x')}) {
    const Bytes sealed = seal(key, 7, text, "events|notes|42");
    CHECK(sealed.size() == text.size() + kSealedOverhead);
    CHECK(open(key, sealed, "events|notes|42") == text);
  }
}

TEST_CASE("sealed field header carries version 1 and the big-endian key id", "[crypto][aead]") {
  const SecretKey key = key_of(2);
  const Bytes sealed = seal(key, 0x01020304, "x", "t|c|1");
  REQUIRE(sealed.size() == 1 + 4 + 12 + 1 + 16);
  CHECK(sealed[0] == 1);
  CHECK(sealed[1] == 0x01);
  CHECK(sealed[2] == 0x02);
  CHECK(sealed[3] == 0x03);
  CHECK(sealed[4] == 0x04);
  CHECK(sealed_key_id(sealed) == 0x01020304u);
  CHECK(sealed_key_id(seal(key, 0xffffffffu, "", "")) == 0xffffffffu);
}

TEST_CASE("the format is exactly what docs/security.md says", "[crypto][aead]") {
  // Decrypt by hand with raw GCM, using only the documented layout and AAD rule.
  const SecretKey key = key_of(3);
  const std::string ad = "events|notes|9";
  const Bytes sealed = seal(key, 5, "plain text", ad);
  const Bytes header(sealed.begin(), sealed.begin() + 5);
  const Bytes nonce(sealed.begin() + 5, sealed.begin() + 17);
  const Bytes ct(sealed.begin() + 17, sealed.end() - 16);
  const Bytes tag(sealed.end() - 16, sealed.end());
  Bytes aad = header;
  for (char c : ad)
    aad.push_back(static_cast<std::uint8_t>(c));
  const Bytes raw_key(key.data(), key.data() + 32);
  const auto pt = gcm_decrypt(raw_key, nonce, aad, ct, tag);
  REQUIRE(pt.has_value());
  CHECK(std::string(pt->begin(), pt->end()) == "plain text");
}

TEST_CASE("changing any single byte of a sealed field makes it fail to open", "[crypto][aead]") {
  const SecretKey key = key_of(4);
  const Bytes sealed = seal(key, 11, "child disclosed at school", "events|notes|3");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
      Bytes tampered = sealed;
      tampered[i] ^= flip;
      INFO("byte " << i << " xor " << int(flip));
      CHECK_THROWS_AS(open(key, tampered, "events|notes|3"), CryptoError);
    }
  }
}

TEST_CASE("a sealed field does not open with another key", "[crypto][aead]") {
  const Bytes sealed = seal(key_of(5), 1, "secret", "events|notes|1");
  CHECK_THROWS_AS(open(key_of(6), sealed, "events|notes|1"), CryptoError);
}

TEST_CASE("a sealed field does not open in another table, column or row", "[crypto][aead]") {
  const SecretKey key = key_of(7);
  const Bytes sealed = seal(key, 1, "secret", "events|notes|1");
  CHECK(open(key, sealed, "events|notes|1") == "secret");
  CHECK_THROWS_AS(open(key, sealed, "reviews|notes|1"), CryptoError);
  CHECK_THROWS_AS(open(key, sealed, "events|event_ref|1"), CryptoError);
  CHECK_THROWS_AS(open(key, sealed, "events|notes|2"), CryptoError);
  CHECK_THROWS_AS(open(key, sealed, "events|notes|10"), CryptoError);
  CHECK_THROWS_AS(open(key, sealed, ""), CryptoError);
}

TEST_CASE("truncated or extended sealed fields fail to open", "[crypto][aead]") {
  const SecretKey key = key_of(8);
  const Bytes sealed = seal(key, 1, "some text", "a|b|1");
  for (std::size_t len = 0; len < sealed.size(); ++len) {
    const Bytes cut(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(len));
    INFO("length " << len);
    CHECK_THROWS_AS(open(key, cut, "a|b|1"), CryptoError);
  }
  Bytes longer = sealed;
  longer.push_back(0);
  CHECK_THROWS_AS(open(key, longer, "a|b|1"), CryptoError);
  CHECK_THROWS_AS(sealed_key_id(Bytes(kSealedOverhead - 1, 1)), CryptoError);
}

TEST_CASE("an unknown format version is refused before decrypting", "[crypto][aead]") {
  const SecretKey key = key_of(9);
  Bytes sealed = seal(key, 1, "text", "a|b|1");
  sealed[0] = 2;
  CHECK_THROWS_AS(sealed_key_id(sealed), CryptoError);
  CHECK_THROWS_WITH(open(key, sealed, "a|b|1"), Catch::Contains("version 2"));
}

TEST_CASE("every seal uses a fresh nonce", "[crypto][aead]") {
  const SecretKey key = key_of(10);
  std::set<Bytes> nonces;
  std::set<Bytes> ciphertexts;
  for (int i = 0; i < 2000; ++i) {
    const Bytes sealed = seal(key, 1, "same text", "same|ad|1");
    nonces.emplace(sealed.begin() + 5, sealed.begin() + 17);
    ciphertexts.insert(sealed);
  }
  CHECK(nonces.size() == 2000);
  CHECK(ciphertexts.size() == 2000);
}

TEST_CASE("failure messages never contain plaintext or key bytes", "[crypto][aead]") {
  const SecretKey key = key_of(0xab);
  const Bytes sealed = seal(key, 1, "SENSITIVE-NOTE", "events|notes|1");
  try {
    open(key_of(0xcd), sealed, "events|notes|1");
    FAIL("expected a throw");
  } catch (const CryptoError& e) {
    const std::string what = e.what();
    CHECK(what.find("SENSITIVE") == std::string::npos);
    CHECK(what.find("abab") == std::string::npos);
    CHECK(what.find("cdcd") == std::string::npos);
  }
}

TEST_CASE("a FieldSealer seals many fields in the documented format, each with a fresh nonce",
          "[crypto][aead]") {
  const SecretKey key = key_of(4);
  FieldSealer sealer(key, 0x0A0B0C0D);
  std::set<Bytes> nonces;
  // Many seals through one context, alternating sizes and associated data, each opened by the
  // one-shot path and decrypted by hand with raw GCM.
  for (int i = 0; i < 200; ++i) {
    const std::string text = i % 3 == 0 ? std::string() : std::string(1 + i * 7, 'a' + i % 26);
    const std::string ad = "events|notes_sealed|" + std::to_string(i);
    const Bytes sealed = sealer.seal(text, i % 5 == 0 ? std::string_view() : ad);
    REQUIRE(sealed.size() == text.size() + kSealedOverhead);
    REQUIRE(sealed_key_id(sealed) == 0x0A0B0C0D);
    REQUIRE(open(key, sealed, i % 5 == 0 ? std::string_view() : ad) == text);
    nonces.insert(Bytes(sealed.begin() + 5, sealed.begin() + 17));
    if (i == 7) {
      Bytes aad(sealed.begin(), sealed.begin() + 5);
      aad.insert(aad.end(), ad.begin(), ad.end());
      const auto pt = gcm_decrypt(
          Bytes(key.data(), key.data() + 32), Bytes(sealed.begin() + 5, sealed.begin() + 17), aad,
          Bytes(sealed.begin() + 17, sealed.end() - 16), Bytes(sealed.end() - 16, sealed.end()));
      REQUIRE(pt.has_value());
      CHECK(std::string(pt->begin(), pt->end()) == text);
    }
    CHECK_THROWS_AS(open(key, sealed, "events|notes_sealed|other"), CryptoError);
    CHECK_THROWS_AS(open(key_of(5), sealed, ad), CryptoError);
  }
  CHECK(nonces.size() == 200);
}
