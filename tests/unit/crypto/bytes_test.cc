#include "crypto/bytes.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "core/errors.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/secret_key.h"

using namespace pathaudit::crypto;
using pathaudit::core::ValidationError;

TEST_CASE("hex round-trips and accepts either case", "[crypto]") {
  const Bytes b = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  CHECK(to_hex(b) == "00017f80abff");
  CHECK(from_hex("00017f80abff") == b);
  CHECK(from_hex("00017F80ABFF") == b);
  CHECK(from_hex("").empty());
  CHECK(to_hex(Bytes{}).empty());
}

TEST_CASE("from_hex refuses bad input without echoing it", "[crypto]") {
  CHECK_THROWS_AS(from_hex("abc"), ValidationError);
  CHECK_THROWS_AS(from_hex("zz"), ValidationError);
  CHECK_THROWS_AS(from_hex("0g"), ValidationError);
  CHECK_THROWS_AS(from_hex("00 1"), ValidationError);
  try {
    from_hex("deadbeefcafeQ0");
    FAIL("expected a throw");
  } catch (const ValidationError& e) {
    CHECK(std::string(e.what()).find("deadbeef") == std::string::npos);
    CHECK(std::string(e.what()).find("12") != std::string::npos);  // the position
  }
}

TEST_CASE("random_bytes gives the requested length and differs between calls", "[crypto]") {
  CHECK(random_bytes(0).empty());
  CHECK(random_bytes(1000).size() == 1000);
  std::set<Bytes> seen;
  for (int i = 0; i < 100; ++i)
    seen.insert(random_bytes(16));
  CHECK(seen.size() == 100);
}

TEST_CASE("public random bytes differ between calls, threads and a forked child", "[crypto]") {
  std::set<Bytes> seen;
  Bytes b(12);
  for (int i = 0; i < 2000; ++i) {  // several refills of the per-thread buffer
    random_public_fill(b.data(), b.size());
    seen.insert(b);
  }
  CHECK(seen.size() == 2000);
  std::thread other([&] {
    Bytes mine(12);
    random_public_fill(mine.data(), mine.size());
    CHECK(seen.count(mine) == 0);
  });
  other.join();
  // A child must not hand out the bytes its parent is about to.
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    Bytes child(12);
    random_public_fill(child.data(), child.size());
    (void)!::write(pipe_fds[1], child.data(), child.size());
    std::_Exit(0);
  }
  Bytes child(12), parent(12);
  REQUIRE(::read(pipe_fds[0], child.data(), child.size()) == 12);
  ::waitpid(pid, nullptr, 0);
  random_public_fill(parent.data(), parent.size());
  CHECK(child != parent);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  CHECK_THROWS(random_public_fill(b.data(), 65));
}

TEST_CASE("SecretKey holds exactly 32 bytes and moves, never copies", "[crypto]") {
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<SecretKey>);
  STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<SecretKey>);
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<SecretKey>);

  const Bytes raw = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  SecretKey a = SecretKey::from_bytes(raw.data(), raw.size());
  CHECK(constant_time_equal(a.data(), raw.data(), 32));
  CHECK_THROWS_AS(SecretKey::from_bytes(raw.data(), 31), ValidationError);
  CHECK_THROWS_AS(SecretKey::from_bytes(raw.data(), 33), ValidationError);

  SecretKey b = std::move(a);
  CHECK(constant_time_equal(b.data(), raw.data(), 32));
  // A moved-from key must not silently act as an all-zero key.
  CHECK_THROWS_AS(a.data(), pathaudit::core::CryptoError);  // NOLINT(bugprone-use-after-move)

  SecretKey c = b.clone();
  CHECK(constant_time_equal(c.data(), raw.data(), 32));

  const SecretKey g1 = SecretKey::generate(), g2 = SecretKey::generate();
  CHECK_FALSE(constant_time_equal(g1.data(), g2.data(), 32));
}

TEST_CASE("constant_time_equal compares every byte", "[crypto]") {
  const Bytes a(32, 7);
  for (std::size_t i = 0; i < a.size(); ++i) {
    Bytes b = a;
    b[i] ^= 0x01;
    CHECK_FALSE(constant_time_equal(a.data(), b.data(), a.size()));
  }
  CHECK(constant_time_equal(a.data(), Bytes(32, 7).data(), 32));
}
