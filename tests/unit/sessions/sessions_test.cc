// Sign-in, lockout and session expiry against a real data directory and a fake clock, so every
// time limit is crossed exactly, without sleeping.
#include "service/sessions.h"

#include <catch2/catch.hpp>

#include "core/errors.h"
#include "service/context.h"
#include "service/init.h"
#include "service/users.h"
#include "test_support.h"

using namespace pathaudit;

namespace {

const std::string kPassword = "correct horse battery staple";

class FakeClock final : public core::Clock {
 public:
  std::string now_utc() const override { return now; }
  core::Date today() const override { return *core::Date::parse_iso(now.substr(0, 10)); }
  std::string now = "2026-12-01T10:00:00Z";
};

struct Fixture {
  testing::TempDir tmp;
  std::string dir = tmp / "data";
  FakeClock clock;
  std::unique_ptr<service::Context> ctx;
  service::SessionPolicy policy;

  Fixture() {
    service::initialise({dir, std::string(PATHAUDIT_TEMPLATES_DIR) + "/partnerships/example.json",
                         std::nullopt, "test"});
    ctx = service::Context::open({dir, {}, "test", &clock});
    const auto op = service::Principal::operator_principal("test");
    service::add_user(*ctx, op, {"qa", "QA lead", "qa_lead", std::nullopt, kPassword});
    service::add_user(*ctx, op, {"csc.1", "Auditor", "auditor", std::string("CSC"), kPassword});
    policy.idle_seconds = 600;
    policy.absolute_seconds = 3600;
    policy.max_failed_logins = 3;
    policy.lockout_seconds = 900;
  }
};

}  // namespace

TEST_CASE("sign-in refuses alike, locks after repeated failures and unlocks after the lockout",
          "[sessions]") {
  Fixture f;
  std::string unknown, wrong;
  try {
    service::sign_in(*f.ctx, f.policy, "nobody", kPassword);
  } catch (const core::UnauthenticatedError& e) {
    unknown = e.what();
  }
  try {
    service::sign_in(*f.ctx, f.policy, "qa", "not the password at all");
  } catch (const core::UnauthenticatedError& e) {
    wrong = e.what();
  }
  CHECK(!unknown.empty());
  CHECK(unknown == wrong);

  // One failure so far; two more lock the account; the right password is then refused too.
  for (int i = 0; i < 2; ++i)
    CHECK_THROWS_AS(service::sign_in(*f.ctx, f.policy, "qa", "still not it, sorry"),
                    core::UnauthenticatedError);
  CHECK_THROWS_AS(service::sign_in(*f.ctx, f.policy, "qa", kPassword), core::UnauthenticatedError);
  f.clock.now = "2026-12-01T10:14:59Z";
  CHECK_THROWS_AS(service::sign_in(*f.ctx, f.policy, "qa", kPassword), core::UnauthenticatedError);
  // Another account is unaffected throughout.
  CHECK(service::sign_in(*f.ctx, f.policy, "csc.1", kPassword).principal.agency == "CSC");
  f.clock.now = "2026-12-01T10:15:00Z";
  const auto in = service::sign_in(*f.ctx, f.policy, "qa", kPassword);
  CHECK(in.principal.username == "qa");
  CHECK(in.principal.actor() == "user:qa");
  CHECK(in.token.size() == 64);
  CHECK(in.token != in.csrf_token);
  CHECK(in.expires_at == "2026-12-01T11:15:00Z");
}

TEST_CASE("sessions end when idle, at their absolute expiry, on sign-out and on disable",
          "[sessions]") {
  Fixture f;
  auto in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword);
  auto s = service::resume_session(*f.ctx, f.policy, in.token);
  CHECK(s.principal.username == "csc.1");
  CHECK(s.principal.is_auditor());
  CHECK(service::csrf_matches(s, in.csrf_token));
  CHECK(!service::csrf_matches(s, in.token));
  CHECK(!service::csrf_matches(s, ""));
  CHECK_THROWS_AS(service::resume_session(*f.ctx, f.policy, in.csrf_token),
                  core::UnauthenticatedError);

  // Used every 9 minutes it stays alive past the idle limit, until its absolute expiry.
  for (const char* t : {"2026-12-01T10:09:00Z", "2026-12-01T10:18:00Z", "2026-12-01T10:27:00Z",
                        "2026-12-01T10:36:00Z", "2026-12-01T10:45:00Z", "2026-12-01T10:54:00Z",
                        "2026-12-01T10:59:59Z"}) {
    f.clock.now = t;
    INFO(t);
    CHECK(service::resume_session(*f.ctx, f.policy, in.token).id == s.id);
  }
  CHECK(service::active_session_count(*f.ctx, f.policy) == 1);
  f.clock.now = "2026-12-01T11:00:00Z";
  CHECK_THROWS_AS(service::resume_session(*f.ctx, f.policy, in.token), core::UnauthenticatedError);
  CHECK(service::active_session_count(*f.ctx, f.policy) == 0);

  // Idle: ten minutes without use.
  in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword);
  f.clock.now = "2026-12-01T11:09:59Z";
  CHECK_NOTHROW(service::resume_session(*f.ctx, f.policy, in.token));
  f.clock.now = "2026-12-01T11:19:59Z";
  CHECK_THROWS_AS(service::resume_session(*f.ctx, f.policy, in.token), core::UnauthenticatedError);

  // Sign-out.
  in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword);
  service::sign_out(*f.ctx, service::resume_session(*f.ctx, f.policy, in.token));
  CHECK_THROWS_AS(service::resume_session(*f.ctx, f.policy, in.token), core::UnauthenticatedError);

  // Disabling the account ends its sessions and its sign-ins.
  in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword);
  service::disable_user(*f.ctx, service::Principal::operator_principal("test"), "csc.1");
  CHECK_THROWS_AS(service::resume_session(*f.ctx, f.policy, in.token), core::UnauthenticatedError);
  CHECK_THROWS_AS(service::sign_in(*f.ctx, f.policy, "csc.1", kPassword),
                  core::UnauthenticatedError);
}

TEST_CASE("session settings are validated", "[sessions]") {
  testing::TempDir tmp;
  const auto policy = service::SessionPolicy::from(service::Settings(tmp.path(), {}));
  CHECK(policy.idle_seconds == 1800);
  CHECK(policy.max_failed_logins == 5);
  CHECK(service::SessionPolicy::from(service::Settings(tmp.path(), {{"session_idle_seconds", "5"}}))
            .idle_seconds == 5);
  CHECK_THROWS_AS(
      service::SessionPolicy::from(service::Settings(tmp.path(), {{"login_max_failures", "0"}})),
      core::ValidationError);
  CHECK_THROWS_AS(service::SessionPolicy::from(
                      service::Settings(tmp.path(), {{"session_absolute_seconds", "-1"}})),
                  core::ValidationError);
}

TEST_CASE("the session cache forgets after its TTL and stays bounded", "[sessions]") {
  service::SessionCache cache;
  const auto t0 = service::SessionCache::Clock::now();
  auto entry = std::make_shared<service::SessionCache::Entry>();
  entry->cached_at = t0;
  crypto::Digest key{};
  cache.put(key, entry);
  CHECK(cache.find(key, t0) == entry);
  CHECK(cache.find(key, t0 + std::chrono::milliseconds(1999)) == entry);
  CHECK(cache.find(key, t0 + service::SessionCache::kTtl) == nullptr);
  CHECK(cache.find(crypto::Digest{1}, t0) == nullptr);
  cache.forget(key);
  CHECK(cache.find(key, t0) == nullptr);

  for (std::size_t i = 0; i <= service::SessionCache::kMaxEntries + 10; ++i) {
    crypto::Digest k{};
    k[0] = static_cast<std::uint8_t>(i & 0xff);
    k[1] = static_cast<std::uint8_t>(i >> 8);
    cache.put(k, entry);
    REQUIRE(cache.size() <= service::SessionCache::kMaxEntries);
  }
}

TEST_CASE("a cached session is refused as soon as it is revoked, by this process or another",
          "[sessions]") {
  Fixture f;
  // Another process on the same data directory (the CLI), with its own cache.
  auto other = service::Context::open({f.dir, {}, "test", &f.clock});
  const auto op = service::Principal::operator_principal("test");
  service::add_user(*f.ctx, op, {"qa.2", "QA lead", "qa_lead", std::nullopt, kPassword});
  const auto resumed = [&](const std::string& token) {
    return service::resume_session(*f.ctx, f.policy, token);
  };

  // Resolved once, then answered from the cache.
  auto in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword);
  CHECK(resumed(in.token).principal.username == "csc.1");
  CHECK(f.ctx->session_cache().size() == 1);
  const auto again = resumed(in.token);
  CHECK(again.principal.agency == "CSC");
  CHECK(again.csrf_token == in.csrf_token);

  // Sign-out here.
  service::sign_out(*f.ctx, again);
  CHECK_THROWS_AS(resumed(in.token), core::UnauthenticatedError);

  // Password reset by another process.
  in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword);
  CHECK_NOTHROW(resumed(in.token));
  service::reset_password(*other, op, "csc.1", kPassword + " and more");
  CHECK_THROWS_AS(resumed(in.token), core::UnauthenticatedError);

  // A role change by another process (no command does this yet; SQL on the file does): the next
  // request acts with the new role.
  auto qa = service::sign_in(*f.ctx, f.policy, "qa.2", kPassword);
  CHECK(resumed(qa.token).principal.is_qa());
  other->db().write([](store::Session& s) {
    s << "UPDATE users SET role = 'board' WHERE username = 'qa.2'", Poco::Data::Keywords::now;
  });
  CHECK(resumed(qa.token).principal.role == "board");

  // Disabled by another process.
  service::disable_user(*other, op, "qa.2");
  CHECK_THROWS_AS(resumed(qa.token), core::UnauthenticatedError);

  // Absolute expiry while cached: the cache never lengthens a session.
  f.policy.idle_seconds = 7200;
  in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword + " and more");
  CHECK_NOTHROW(resumed(in.token));
  f.clock.now = "2026-12-01T10:59:59Z";
  CHECK_NOTHROW(resumed(in.token));
  f.clock.now = "2026-12-01T11:00:00Z";
  CHECK_THROWS_AS(resumed(in.token), core::UnauthenticatedError);

  // Idle expiry while cached.
  f.policy.idle_seconds = 600;
  in = service::sign_in(*f.ctx, f.policy, "csc.1", kPassword + " and more");
  CHECK_NOTHROW(resumed(in.token));
  f.clock.now = "2026-12-01T11:10:00Z";
  CHECK_THROWS_AS(resumed(in.token), core::UnauthenticatedError);
}
