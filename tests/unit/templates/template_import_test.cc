// Importing templates into a real data directory through the service layer: exact bytes and their
// SHA-256 stored, identical re-import a no-op, a changed body for a stored version refused, every
// change and refusal in the audit log.
#include <Poco/Data/Statement.h>

#include <catch2/catch.hpp>

#include "core/errors.h"
#include "crypto/hash.h"
#include "service/context.h"
#include "service/init.h"
#include "service/templates.h"
#include "store/templates.h"
#include "test_support.h"

using namespace pathaudit;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

const std::string kShipped = std::string(PATHAUDIT_TEMPLATES_DIR) + "/csa-response-pathway/1.json";

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

  std::vector<std::string> log(const std::string& action) {
    return ctx->db().read([&](store::Session& s) {
      std::vector<std::string> outcomes;
      std::string a = action;
      s << "SELECT outcome FROM audit_log WHERE action = ? ORDER BY seq", into(outcomes),
          Poco::Data::Keywords::use(a), now;
      return outcomes;
    });
  }
};

}  // namespace

TEST_CASE("import stores the exact bytes with their SHA-256 and records it", "[templates]") {
  Fixture f;
  const std::string bytes = testing::read_file(kShipped);
  const auto r = service::import_template(*f.ctx, f.who, kShipped);
  REQUIRE(r.imported);
  REQUIRE(r.key == "csa-response-pathway");
  REQUIRE(r.version == 1);
  REQUIRE(r.sha256 == crypto::sha256_hex(bytes));
  REQUIRE(r.sections == 23);
  f.ctx->db().read([&](store::Session& s) {
    const auto stored = store::find_template(s, "csa-response-pathway", 1);
    REQUIRE(stored);
    REQUIRE(stored->id == r.id);
    REQUIRE(stored->sha256 == r.sha256);
    REQUIRE(stored->title == "CSA Response Pathway multi-agency case audit");
    REQUIRE(store::template_body(s, r.id) == bytes);
  });
  const auto entries = f.log("templates.import");
  REQUIRE(entries.size() == 1);
  REQUIRE_THAT(entries[0],
               Catch::StartsWith("ok: csa-response-pathway version 1, sha256 " + r.sha256));
}

TEST_CASE("importing identical bytes again changes nothing and records nothing", "[templates]") {
  Fixture f;
  const auto first = service::import_template(*f.ctx, f.who, kShipped);
  const auto again = service::import_template(*f.ctx, f.who, kShipped);
  REQUIRE_FALSE(again.imported);
  REQUIRE(again.id == first.id);
  REQUIRE(f.log("templates.import").size() == 1);
  REQUIRE(service::list_templates(*f.ctx, f.who).size() == 1);
}

TEST_CASE("a changed body for a stored version is refused but a new version is accepted",
          "[templates]") {
  Fixture f;
  service::import_template(*f.ctx, f.who, kShipped);
  std::string body = testing::read_file(kShipped);
  body.replace(body.find("\"Outstanding\""), 13, "\"Excellent\"");
  const std::string changed = f.tmp / "changed.json";
  testing::write_file(changed, body);
  REQUIRE_THROWS_AS(service::import_template(*f.ctx, f.who, changed), core::ConflictError);
  REQUIRE_THROWS_WITH(service::import_template(*f.ctx, f.who, changed),
                      Catch::Contains("versions are immutable"));
  f.ctx->db().read([&](store::Session& s) {
    const auto stored = store::find_template(s, "csa-response-pathway", 1);
    REQUIRE(store::template_body(s, stored->id) == testing::read_file(kShipped));
  });
  const auto entries = f.log("templates.import");
  REQUIRE(entries.size() == 3);
  REQUIRE_THAT(entries[1], Catch::StartsWith("refused: a different body for "
                                             "csa-response-pathway version 1"));

  body.replace(body.find("\"version\": 1"), 12, "\"version\": 2");
  testing::write_file(changed, body);
  const auto v2 = service::import_template(*f.ctx, f.who, changed);
  REQUIRE(v2.imported);
  REQUIRE(v2.version == 2);
  const auto all = service::list_templates(*f.ctx, f.who);
  REQUIRE(all.size() == 2);
  REQUIRE(all[1].record.version == 2);
}

TEST_CASE("an invalid template is refused, stores nothing and the refusal is recorded",
          "[templates]") {
  Fixture f;
  std::string body = testing::read_file(kShipped);
  body.replace(body.find("\"type\": \"yes_no_na\""), 19, "\"type\": \"boolean\"");
  const std::string bad = f.tmp / "bad.json";
  testing::write_file(bad, body);
  REQUIRE_THROWS_AS(service::import_template(*f.ctx, f.who, bad), service::TemplateRejected);
  REQUIRE(service::list_templates(*f.ctx, f.who).empty());
  const auto entries = f.log("templates.import");
  REQUIRE(entries.size() == 1);
  REQUIRE_THAT(entries[0], Catch::StartsWith("refused: 1 problem in a file with sha256 "));
}

TEST_CASE("list says whether an audit uses a template", "[templates]") {
  Fixture f;
  const auto r = service::import_template(*f.ctx, f.who, kShipped);
  REQUIRE_FALSE(service::list_templates(*f.ctx, f.who).at(0).in_use);
  f.ctx->db().write([&](store::Session& s) {
    std::int64_t id = r.id;
    s << "INSERT INTO audits (title, template_id, period_start, period_end, created_by, "
         "created_at) VALUES ('A', ?, '2024-01-01', '2024-12-31', 'test', '2025-01-01T00:00:00Z')",
        Poco::Data::Keywords::use(id), now;
  });
  const auto listed = service::list_templates(*f.ctx, f.who);
  REQUIRE(listed.at(0).in_use);
  REQUIRE(listed.at(0).record.sha256 == r.sha256);
}
