#include "crypto/password.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <regex>
#include <thread>

#include "core/errors.h"

using namespace pathaudit::crypto;
using pathaudit::core::ValidationError;

namespace {

// Fast parameters for tests; the format and the code paths are the same as for the defaults.
const ScryptParams kFast{10, 8, 1};
const std::regex kFormat(
    R"(\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})");

}  // namespace

TEST_CASE("hash_password round-trips and rejects wrong passwords", "[crypto][password]") {
  const std::string encoded = hash_password("correct horse battery staple", kFast);
  std::smatch m;
  REQUIRE(std::regex_match(encoded, m, kFormat));
  CHECK(m[1] == "10");
  CHECK(m[2] == "8");
  CHECK(m[3] == "1");
  CHECK(verify_password("correct horse battery staple", encoded));
  CHECK_FALSE(verify_password("correct horse battery stapl", encoded));
  CHECK_FALSE(verify_password("Correct horse battery staple", encoded));
  CHECK_FALSE(verify_password("", encoded));
  CHECK(encoded.find("correct") == std::string::npos);
}

TEST_CASE("each hash has its own salt", "[crypto][password]") {
  const std::string a = hash_password("same", kFast);
  const std::string b = hash_password("same", kFast);
  CHECK(a != b);
  CHECK(verify_password("same", a));
  CHECK(verify_password("same", b));
}

TEST_CASE("non-ASCII and empty passwords work", "[crypto][password]") {
  const std::string pw = "pässwörd \xF0\x9F\x94\x91";
  CHECK(verify_password(pw, hash_password(pw, kFast)));
  CHECK(verify_password("", hash_password("", kFast)));
  CHECK_FALSE(verify_password("x", hash_password("", kFast)));
}

TEST_CASE("a hash made elsewhere with the same parameters verifies", "[crypto][password]") {
  // scrypt("password", salt "0123456789abcdef", N=1024, r=8, p=1, 32) computed independently with
  // Python's hashlib.scrypt; the salt is base64 "MDEyMzQ1Njc4OWFiY2RlZg".
  const std::string encoded =
      "$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"
      "ZEBCzLptWM7dhpNJDU2HbQ945ovKHmVEozHkePPbSqw";
  CHECK(verify_password("password", encoded));
  CHECK_FALSE(verify_password("passwore", encoded));
}

TEST_CASE("the default parameters (ln=17, r=8, p=1) work", "[crypto][password][slow]") {
  const std::string encoded = hash_password("default params");
  CHECK(encoded.starts_with("$scrypt$ln=17,r=8,p=1$"));
  CHECK(verify_password("default params", encoded));
  CHECK_FALSE(password_needs_rehash(encoded));
  CHECK(password_needs_rehash(hash_password("x", kFast)));
}

TEST_CASE("malformed hash strings are refused with ValidationError", "[crypto][password]") {
  const std::string good = hash_password("pw", kFast);
  const std::size_t salt_at = good.find('$', 9) + 1;
  const std::string salt_and_hash = good.substr(salt_at);
  const std::vector<std::string> bad = {
      "",
      "plain",
      "$2b$12$abcdefghijklmnopqrstuv",  // bcrypt
      "$scrypt$",
      "$scrypt$ln=10,r=8,p=1$",
      "$scrypt$ln=10,r=8,p=1$" + salt_and_hash.substr(0, 22),    // no hash part
      "$scrypt$ln=10,r=8$" + salt_and_hash,                      // missing p
      "$scrypt$r=8,ln=10,p=1$" + salt_and_hash,                  // wrong order
      "$scrypt$ln=010,r=8,p=1$" + salt_and_hash,                 // leading zero
      "$scrypt$ln=+10,r=8,p=1$" + salt_and_hash,                 // sign
      "$scrypt$ln=21,r=8,p=1$" + salt_and_hash,                  // beyond the bound
      "$scrypt$ln=40,r=8,p=1$" + salt_and_hash,                  // hostile
      "$scrypt$ln=0,r=8,p=1$" + salt_and_hash,                   // N = 1
      "$scrypt$ln=10,r=0,p=1$" + salt_and_hash,                  // r = 0
      "$scrypt$ln=10,r=8,p=99$" + salt_and_hash,                 // p too large
      "$scrypt$ln=10,r=8,p=1$" + salt_and_hash + "=",            // padding
      "$scrypt$ln=10,r=8,p=1$" + salt_and_hash + "A",            // hash too long
      "$scrypt$ln=10,r=8,p=1$" + salt_and_hash.substr(0, 60),    // hash too short
      "$scrypt$ln=10,r=8,p=1$" + salt_and_hash + "$extra",       // extra field
      "$scrypt$ln=10,r=8,p=1$!!!!$" + salt_and_hash.substr(23),  // bad base64
      "$scrypt$ln=10,r=8,p=1$AAAA$" + salt_and_hash.substr(23),  // salt too short
  };
  for (const std::string& s : bad) {
    INFO(s);
    CHECK_THROWS_AS(verify_password("pw", s), ValidationError);
  }
  CHECK(verify_password("pw", good));
}

TEST_CASE("the error for a malformed hash does not quote it", "[crypto][password]") {
  try {
    verify_password("pw", "$scrypt$ln=10,r=8,p=1$SECRETSALTSECRETSALTSE$tooshort");
    FAIL("expected a throw");
  } catch (const ValidationError& e) {
    CHECK(std::string(e.what()).find("SECRETSALT") == std::string::npos);
  }
}

TEST_CASE("hash_password refuses out-of-bound parameters and huge passwords",
          "[crypto][password]") {
  CHECK_THROWS_AS(hash_password("pw", {21, 8, 1}), ValidationError);
  CHECK_THROWS_AS(hash_password("pw", {0, 8, 1}), ValidationError);
  CHECK_THROWS_AS(hash_password("pw", {10, 0, 1}), ValidationError);
  CHECK_THROWS_AS(hash_password("pw", {10, 8, 17}), ValidationError);
  CHECK_THROWS_AS(hash_password(std::string(kMaxPasswordBytes + 1, 'a'), kFast), ValidationError);
  const std::string encoded = hash_password(std::string(kMaxPasswordBytes, 'a'), kFast);
  CHECK_FALSE(verify_password(std::string(kMaxPasswordBytes + 1, 'a'), encoded));
}

TEST_CASE("concurrent verifications all succeed under the concurrency bound",
          "[crypto][password]") {
  const std::string encoded = hash_password("pw", kFast);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (verify_password("pw", encoded))
        ++ok;
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(ok == 8);
  // The limiter is in use now, so its size can no longer change.
  CHECK_THROWS_AS(set_scrypt_concurrency(4), pathaudit::core::ConflictError);
  CHECK_THROWS_AS(set_scrypt_concurrency(0), ValidationError);
}
