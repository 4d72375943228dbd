// Importing agency extracts into a real database through the service layer.
#include "service/import.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "core/errors.h"
#include "crypto/hash.h"
#include "service/context.h"
#include "service/init.h"
#include "service/links.h"
#include "test_support.h"

using namespace pathaudit;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

const service::Principal kOperator = service::Principal::operator_principal("cli:test");

const std::string kHeader =
    "agency,event_id,event_type,event_date,nhs_number,local_child_id,forename,surname,dob,sex,"
    "entry_point,to_agency,to_service,participants,outcome,category,relates_to,notes\n";

struct Fixture {
  testing::TempDir tmp;
  std::string dir = tmp / "data";
  std::unique_ptr<service::Context> ctx;

  Fixture() {
    service::initialise({dir, std::string(PATHAUDIT_TEMPLATES_DIR) + "/partnerships/example.json",
                         std::nullopt, "test"});
    ctx = service::Context::open({dir, {}, "test"});
  }

  std::string file(const std::string& name, const std::string& rows) {
    const std::string path = tmp / name;
    testing::write_file(path, kHeader + rows);
    return path;
  }

  int count(const std::string& sql) {
    return ctx->db().read([&](store::Session& s) {
      int n = 0;
      s << sql, into(n), now;
      return n;
    });
  }
};

// Child partition as sets of "AGENCY:ref/tier", independent of display keys (which depend on the
// data directory's pseudonym key).
std::set<std::set<std::string>> partition(service::Context& ctx) {
  std::map<std::string, std::set<std::string>> by_child;
  for (const auto& r : service::link_report(ctx, kOperator)) {
    by_child[r.child_key].insert(r.agency + ":" + r.event_ref + "/" + r.tier);
  }
  std::set<std::set<std::string>> out;
  for (auto& [_, events] : by_child)
    out.insert(events);
  return out;
}

const std::string kSchool =
    "SCHOOL,S-1,concern_identified,2025-03-01,,UPN-77,Thomas,Hughes-Jones,2014-06-03,M,school,,,,,,"
    ",\n"
    "SCHOOL,S-2,referral,2025-03-01,,UPN-77,Tom,Hughes-Jones,2014-06-03,M,school,CSC,,,,,S-1,\n";
const std::string kCsc =
    "CSC,C-1,referral,2025-03-02,401 023 2137,,Thomas,Hughes-Jones,2014-06-03,M,school,,,,,,,\n"
    "CSC,C-2,referral_decision,2025-03-03,4010232137,,,,,,,,,,s47,,C-1,\n"
    "CSC,C-3,referral,2025-04-02,,CSC-900,Amira,Khan,2016-02-11,F,gp,,,,,,,\n";
const std::string kPolice =
    "POLICE,PR/1,police_report,2025-03-04,,,Thomas,Hughes Jones,2014-03-06,M,police,,,,,,,\n";

}  // namespace

TEST_CASE("an import stores events and links one child across agencies", "[import]") {
  Fixture f;
  auto r = service::import_files(
      *f.ctx, kOperator,
      {f.file("school.csv", kSchool), f.file("csc.csv", kCsc), f.file("police.csv", kPolice)});
  REQUIRE(r.inserted == 6);
  REQUIRE(r.updated == 0);
  REQUIRE(r.children == 2);
  // The recorded hash is of the bytes parsed, and agrees with a one-shot hash of the file.
  REQUIRE(r.files[0].sha256 == crypto::sha256_hex(testing::read_file(r.files[0].file)));
  auto p = partition(*f.ctx);
  REQUIRE(p.size() == 2);
  REQUIRE(p.count({"CSC:C-3/local"}) == 1);
  // School's first record reaches CSC's NHS-numbered record by exact name (Thomas), its second
  // (Tom) only through the first (local id), so no more firmly than exact; police by a probable
  // match (swapped day and month, hyphen lost).
  REQUIRE(p.count({"CSC:C-1/nhs", "CSC:C-2/nhs", "SCHOOL:S-1/exact", "SCHOOL:S-2/exact",
                   "POLICE:PR/1/probable"}) == 1);
}

TEST_CASE("a bad row anywhere rejects every file and stores nothing", "[import]") {
  Fixture f;
  const std::string good = f.file("good.csv", kCsc);
  const std::string bad =
      f.file("bad.csv", kSchool + "SCHOOL,S-3,concern_identified,2025-02-30,,UPN-1,,,,,,,,,,,,\n");
  try {
    service::import_files(*f.ctx, kOperator, {good, bad});
    FAIL("expected a rejection");
  } catch (const service::ImportRejected& e) {
    REQUIRE(e.total() == 1);
    REQUIRE(e.lines()[0] == bad +
                                ":4:4: event_date: is not a calendar date; expected YYYY-MM-DD "
                                "(for example 2025-03-31)");
  }
  REQUIRE(f.count("SELECT count(*) FROM events") == 0);
  REQUIRE(f.count("SELECT count(*) FROM children") == 0);
  REQUIRE(f.count("SELECT count(*) FROM imports") == 0);
  REQUIRE(f.count("SELECT count(*) FROM audit_log WHERE action = 'import.reject'") == 1);
}

TEST_CASE("at most 100 errors are listed, with the total", "[import]") {
  Fixture f;
  std::string rows;
  for (int i = 0; i < 150; ++i)
    rows += "CSC,R" + std::to_string(i) + ",nonsense,2025-01-01,,L,,,,,,,,,,,,\n";
  try {
    service::import_files(*f.ctx, kOperator, {f.file("many.csv", rows)});
    FAIL("expected a rejection");
  } catch (const service::ImportRejected& e) {
    REQUIRE(e.total() == 150);
    REQUIRE(e.lines().size() == 100);
    REQUIRE_THAT(std::string(e.what()), Catch::Contains("and 50 more errors"));
  }
}

TEST_CASE("re-importing the same events updates them in place", "[import]") {
  Fixture f;
  service::import_files(*f.ctx, kOperator, {f.file("csc.csv", kCsc)});
  const auto first = partition(*f.ctx);
  auto again = service::import_files(*f.ctx, kOperator, {f.file("csc.csv", kCsc)});
  REQUIRE(again.inserted == 0);
  REQUIRE(again.updated == 3);
  REQUIRE(f.count("SELECT count(*) FROM events") == 3);
  REQUIRE(partition(*f.ctx) == first);
  // A correction: C-3's event type changes, no duplicate appears.
  std::string corrected = kCsc;
  corrected.replace(corrected.find("C-3,referral,"), 13, "C-3,contact,");
  service::import_files(*f.ctx, kOperator, {f.file("csc2.csv", corrected)});
  REQUIRE(f.count("SELECT count(*) FROM events") == 3);
  REQUIRE(f.count("SELECT count(*) FROM events WHERE event_type = 'contact'") == 1);
}

TEST_CASE("the same event twice in one import is an error", "[import]") {
  Fixture f;
  REQUIRE_THROWS_WITH(
      service::import_files(*f.ctx, kOperator, {f.file("a.csv", kCsc), f.file("b.csv", kCsc)}),
      Catch::Contains("b.csv:2:2: event_id: the same agency and event_id appear earlier"));
  REQUIRE(f.count("SELECT count(*) FROM events") == 0);
}

TEST_CASE("linkage is the same whatever order files are imported in", "[import]") {
  Fixture together, one_by_one, reversed;
  service::import_files(*together.ctx, kOperator,
                        {together.file("s.csv", kSchool), together.file("c.csv", kCsc),
                         together.file("p.csv", kPolice)});
  for (const auto& [name, rows] : std::vector<std::pair<std::string, std::string>>{
           {"s.csv", kSchool}, {"c.csv", kCsc}, {"p.csv", kPolice}}) {
    service::import_files(*one_by_one.ctx, kOperator, {one_by_one.file(name, rows)});
  }
  for (const auto& [name, rows] : std::vector<std::pair<std::string, std::string>>{
           {"p.csv", kPolice}, {"c.csv", kCsc}, {"s.csv", kSchool}}) {
    service::import_files(*reversed.ctx, kOperator, {reversed.file(name, rows)});
  }
  const auto expected = partition(*together.ctx);
  REQUIRE(partition(*one_by_one.ctx) == expected);
  REQUIRE(partition(*reversed.ctx) == expected);
  // No child is left behind by re-linking.
  REQUIRE(reversed.count("SELECT count(*) FROM children") == 2);
}

TEST_CASE("canary identifiers and notes never reach the database, its WAL or the log",
          "[import][security]") {
  Fixture f;
  // Recognisable values in every identifying column (the NHS number is valid).
  const std::string rows =
      "GP,EVTCANARYREF77,specialist_referral,2025-05-05,943 476 5919,LOCALCANARY42,Canaryforename,"
      "Zanzibarsurname,2013-09-17,F,gp,,camhs,,,,,\"NOTECANARY, a disclosure in the child's "
      "words\"\n";
  service::import_files(*f.ctx, kOperator, {f.file("canary.csv", rows)});
  const std::vector<std::string> canaries{"EVTCANARYREF77",  "9434765919",      "943 476 5919",
                                          "LOCALCANARY42",   "Canaryforename",  "canaryforename",
                                          "Zanzibarsurname", "zanzibarsurname", "2013-09-17",
                                          "NOTECANARY",      "disclosure"};
  auto scan = [&](const std::string& when) {
    for (const auto& entry : std::filesystem::directory_iterator(f.dir)) {
      const std::string bytes = testing::read_file(entry.path().string());
      for (const auto& c : canaries) {
        INFO(when << ": " << entry.path().filename().string() << " holds " << c);
        REQUIRE(bytes.find(c) == std::string::npos);
      }
    }
  };
  REQUIRE(std::filesystem::exists(f.dir + "/pathaudit.db-wal"));
  scan("before checkpoint");
  f.ctx->db().write_checkpoint();
  scan("after checkpoint");
  // And it is all still there, sealed: the reference opens for an authorised reader.
  auto links = service::link_report(*f.ctx, kOperator);
  REQUIRE(links.size() == 1);
  REQUIRE(links[0].event_ref == "EVTCANARYREF77");
  const crypto::Bytes notes = f.ctx->db().read([](store::Session& s) {
    Poco::Data::BLOB blob;
    s << "SELECT notes_sealed FROM events WHERE id = 1", into(blob), now;
    return crypto::Bytes(blob.content().begin(), blob.content().end());
  });
  REQUIRE(f.ctx->open_field(notes, "events", "notes_sealed", 1) ==
          "NOTECANARY, a disclosure in the child's words");
  scan("after a read");
}

TEST_CASE("a rejected import's errors do not repeat identifying values", "[import][security]") {
  Fixture f;
  const std::string rows =
      "GP,EVTCANARYREF77,specialist_referral,2025-05-05,943 476 5918,LOCALCANARY42,Canaryforename,"
      "Zanzibarsurname,2013-19-17,F,gp,,camhs,,,,,NOTECANARY\n";
  try {
    service::import_files(*f.ctx, kOperator, {f.file("canary.csv", rows)});
    FAIL("expected a rejection");
  } catch (const service::ImportRejected& e) {
    const std::string what = e.what();
    for (const char* c : {"EVTCANARYREF77", "9434765918", "LOCALCANARY42", "Canaryforename",
                          "Zanzibarsurname", "2013-19-17", "NOTECANARY"}) {
      INFO(c);
      REQUIRE(what.find(c) == std::string::npos);
    }
    REQUIRE(e.total() == 2);
  }
}

TEST_CASE("a sealed field that does not open is refused loudly and audit-logged",
          "[import][security]") {
  Fixture f;
  service::import_files(*f.ctx, kOperator, {f.file("csc.csv", kCsc)});
  // Someone with the file swaps two rows' sealed references.
  f.ctx->db().write([](store::Session& s) {
    s << "UPDATE events SET event_ref_sealed = (SELECT event_ref_sealed FROM events WHERE id = 2) "
         "WHERE id = 1",
        now;
  });
  REQUIRE_THROWS_AS(service::link_report(*f.ctx, kOperator), core::CryptoError);
  REQUIRE(f.count("SELECT count(*) FROM audit_log WHERE action = 'field.open' AND "
                  "object = 'events:1/event_ref_sealed' AND outcome LIKE 'refused%'") == 1);
}

TEST_CASE("records with no linkage key each stand alone", "[import]") {
  Fixture f;
  // Surname and date of birth identify the child for the contract, but without a forename there is
  // neither an exact nor a probable key.
  auto r = service::import_files(
      *f.ctx, kOperator,
      {f.file("p.csv",
              "POLICE,P-1,police_report,2025-03-04,,,,Ahmed,2014-03-06,,,,,,,,,\n"
              "POLICE,P-2,police_report,2025-03-05,,,,Ahmed,2014-03-06,,,,,,,,,\n"
              "POLICE,P-3,police_report,2025-03-06,,,,Brown,2012-01-09,,,,,,,,,\n")});
  REQUIRE(r.children == 3);
  for (const auto& link : service::link_report(*f.ctx, kOperator))
    REQUIRE(link.tier == "none");
}

TEST_CASE("a rejected file's whole-file hash is in the audit log, even after a syntax error",
          "[import]") {
  Fixture f;
  const std::string bad = f.file("broken.csv", kCsc + "CSC,C-9,\"unterminated,2025-01-01\n" + kCsc);
  REQUIRE_THROWS_AS(service::import_files(*f.ctx, kOperator, {bad}), service::ImportRejected);
  const std::string expected = "broken.csv=" + crypto::sha256_hex(testing::read_file(bad));
  REQUIRE(
      f.count("SELECT count(*) FROM audit_log WHERE action = 'import.reject' AND outcome LIKE '%" +
              expected + "%'") == 1);
}

TEST_CASE("a child whose display key is taken gets a longer one", "[import]") {
  Fixture f;
  service::import_files(*f.ctx, kOperator, {f.file("csc.csv", kCsc)});
  // Give the existing children other pseudonyms but keep their display keys, so re-linking the same
  // records makes new children whose 10-character keys are all taken.
  f.ctx->db().write(
      [](store::Session& s) { s << "UPDATE children SET pseudonym = randomblob(32)", now; });
  service::import_files(*f.ctx, kOperator, {f.file("csc2.csv", kCsc)});
  std::set<std::string> keys;
  for (const auto& link : service::link_report(*f.ctx, kOperator))
    keys.insert(link.child_key);
  REQUIRE(keys.size() == 2);
  for (const auto& k : keys)
    REQUIRE(k.size() == 14);  // "C-" + 12
}
