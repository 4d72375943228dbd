// Known-answer tests against the published vectors: if OpenSSL is driven wrongly (wrong IV length
// handling, AAD order, digest, scrypt parameter mapping), these fail.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/password.h"

using namespace pathaudit::crypto;

namespace {

std::string hex(const Digest& d) {
  return to_hex(d.data(), d.size());
}

Bytes str_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

struct GcmCase {
  int number;
  const char* key;
  const char* iv;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

constexpr const char* kKey0 = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char* kKey1 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr const char* kAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr const char* kPlain64 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
constexpr const char* kPlain60 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13-18 (AES-256),
// as reproduced in NIST's GCM validation material.
const GcmCase kGcmCases[] = {
    {13, kKey0, "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {14, kKey0, "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {15, kKey1, "cafebabefacedbaddecaf888", "", kPlain64,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {16, kKey1, "cafebabefacedbaddecaf888", kAad, kPlain60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    // 64-bit IV.
    {17, kKey1, "cafebabefacedbad", kAad, kPlain60,
     "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
     "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
     "3a337dbf46a792c45e454913fe2ea8f2"},
    // 480-bit IV.
    {18, kKey1,
     "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
     "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
     kAad, kPlain60,
     "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
     "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
     "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"},
};

}  // namespace

TEST_CASE("SHA-256 of \"abc\" matches FIPS 180-2", "[crypto][kat]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("streaming SHA-256 equals one-shot over any split", "[crypto][kat]") {
  const std::string data =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";  // FIPS 180-2 second vector
  const std::string expected = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  CHECK(sha256_hex(data) == expected);
  for (std::size_t split = 0; split <= data.size(); ++split) {
    Sha256 h;
    h.update(data.data(), split);
    h.update(data.data() + split, data.size() - split);
    CHECK(hex(h.finish()) == expected);
  }
}

TEST_CASE("Sha256 refuses use after finish", "[crypto]") {
  Sha256 h;
  h.update("abc");
  h.finish();
  CHECK_THROWS_AS(h.update("more"), pathaudit::core::CryptoError);
  CHECK_THROWS_AS(h.finish(), pathaudit::core::CryptoError);
}

TEST_CASE("HMAC-SHA256 matches RFC 4231", "[crypto][kat]") {
  struct Case {
    int number;
    Bytes key;
    Bytes data;
    const char* mac;
  };
  const Case cases[] = {
      {1, Bytes(20, 0x0b), str_bytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {2, str_bytes("Jefe"), str_bytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {3, Bytes(20, 0xaa), Bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {4, from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Bytes(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {6, Bytes(131, 0xaa), str_bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {7, Bytes(131, 0xaa),
       str_bytes("This is a test using a larger than block-size key and a larger than block-size "
                 "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Case& c : cases) {
    INFO("RFC 4231 test case " << c.number);
    const std::string_view data(reinterpret_cast<const char*>(c.data.data()), c.data.size());
    CHECK(hex(hmac_sha256(c.key.data(), c.key.size(), data)) == c.mac);
    // The keyed form, whose contexts are pooled and re-initialised, gives the same MAC every time,
    // whichever thread asks and however many ask at once.
    const HmacSha256 keyed(c.key.data(), c.key.size());
    std::vector<std::string> seen(64);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < 64; i += 4)
          seen[i] = hex(keyed.mac(data));
      });
    }
    for (auto& th : threads)
      th.join();
    for (const auto& mac : seen)
      CHECK(mac == c.mac);
    CHECK(hex(keyed.mac("")) == hex(hmac_sha256(c.key.data(), c.key.size(), "")));
  }
}

TEST_CASE("AES-256-GCM matches the GCM specification test cases 13-18", "[crypto][kat]") {
  for (const GcmCase& c : kGcmCases) {
    INFO("GCM test case " << c.number);
    const Bytes key = from_hex(c.key), iv = from_hex(c.iv), aad = from_hex(c.aad);
    const Bytes pt = from_hex(c.plaintext), ct = from_hex(c.ciphertext), tag = from_hex(c.tag);
    Bytes got_tag;
    const Bytes got = gcm_encrypt(key, iv, aad, pt, &got_tag);
    CHECK(to_hex(got) == c.ciphertext);
    CHECK(to_hex(got_tag) == c.tag);

    const auto opened = gcm_decrypt(key, iv, aad, ct, tag);
    REQUIRE(opened.has_value());
    CHECK(*opened == pt);

    Bytes bad_tag = tag;
    bad_tag[0] ^= 1;
    CHECK_FALSE(gcm_decrypt(key, iv, aad, ct, bad_tag).has_value());
    Bytes bad_aad = aad;
    bad_aad.push_back(0);
    CHECK_FALSE(gcm_decrypt(key, iv, bad_aad, ct, tag).has_value());
    if (!ct.empty()) {
      Bytes bad_ct = ct;
      bad_ct.back() ^= 0x80;
      CHECK_FALSE(gcm_decrypt(key, iv, aad, bad_ct, tag).has_value());
    }
  }
}

TEST_CASE("raw GCM refuses bad sizes", "[crypto]") {
  Bytes tag;
  CHECK_THROWS_AS(gcm_encrypt(Bytes(31), Bytes(12), {}, {}, &tag),
                  pathaudit::core::ValidationError);
  CHECK_THROWS_AS(gcm_encrypt(Bytes(32), Bytes(), {}, {}, &tag), pathaudit::core::ValidationError);
  CHECK_THROWS_AS(gcm_decrypt(Bytes(32), Bytes(12), {}, {}, Bytes(8)),
                  pathaudit::core::ValidationError);
}

TEST_CASE("scrypt matches RFC 7914 section 12", "[crypto][kat]") {
  CHECK(to_hex(scrypt_raw("", "", 16, 1, 1, 64)) ==
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
  CHECK(to_hex(scrypt_raw("password", "NaCl", 1024, 8, 16, 64)) ==
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
  CHECK(to_hex(scrypt_raw("pleaseletmein", "SodiumChloride", 16384, 8, 1, 64)) ==
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
        "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

TEST_CASE("scrypt_raw refuses unsafe parameters", "[crypto]") {
  using pathaudit::core::ValidationError;
  CHECK_THROWS_AS(scrypt_raw("pw", "salt", 1000, 8, 1, 32), ValidationError);  // not a power of 2
  CHECK_THROWS_AS(scrypt_raw("pw", "salt", 1, 8, 1, 32), ValidationError);
  CHECK_THROWS_AS(scrypt_raw("pw", "salt", std::uint64_t{1} << 21, 8, 1, 32), ValidationError);
  CHECK_THROWS_AS(scrypt_raw("pw", "salt", 1024, 0, 1, 32), ValidationError);
  CHECK_THROWS_AS(scrypt_raw("pw", "salt", 1024, 8, 0, 32), ValidationError);
  CHECK_THROWS_AS(scrypt_raw("pw", "salt", 1024, 8, 1, 0), ValidationError);
}
