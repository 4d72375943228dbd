// `pathaudit metrics` run for real on a synthetic partnership (synth, init, import). The numbers
// are checked against a computation written here from the synth CSV files, grouped into children by
// `pathaudit links` (so the test measures metrics, not linkage), under the default definitions as
// docs/metrics.md states them.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/date.h"
#include "ingest/csv_reader.h"
#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows parse_csv(std::istream& in) {
  pathaudit::ingest::CsvReader reader(in);
  pathaudit::ingest::CsvRecord record;
  Rows rows;
  while (reader.next(record))
    rows.push_back(record.fields);
  return rows;
}

Rows parse_csv_text(const std::string& text) {
  std::istringstream in(text);
  return parse_csv(in);
}

// A synthetic partnership, initialised and imported into `data`.
struct Partnership {
  TempDir tmp;
  std::string synth = tmp / "synth";
  std::string data = tmp / "data";

  explicit Partnership(int children, const char* seed = "5") {
    auto gen = run_pathaudit(
        {"synth", "--seed", seed, "--children", std::to_string(children), "--out", synth});
    INFO(gen.err);
    REQUIRE(gen.status == 0);
    auto init =
        run_pathaudit({"init", "--data-dir", data, "--partnership", synth + "/partnership.json"});
    INFO(init.err);
    REQUIRE(init.status == 0);
    std::vector<std::string> import{"import", "--data-dir", data};
    for (const auto& f : csv_files())
      import.push_back(f);
    auto imported = run_pathaudit(import);
    INFO(imported.err);
    REQUIRE(imported.status == 0);
  }

  std::vector<std::string> csv_files() const {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(synth)) {
      if (e.path().extension() == ".csv")
        files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
};

// ---- The independent computation ---------------------------------------------------------------

struct Ev {
  std::string agency, id, type, date, to_service, outcome, relates_to;
  std::vector<std::string> category;
};

bool has(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

const std::vector<std::string> kSexualAbuse = {"SAB", "19A", "19B", "19C", "11A"};
const std::vector<std::string> kFactors = {"19A", "19B", "19C", "11A"};

// "2024-25 Q1" / "2024 Q1" and the quarter's last day, from an ISO date, by string arithmetic.
struct Q {
  std::string label;
  std::string last_day;
  int ordinal;
};

Q quarter_of(const std::string& iso, bool financial) {
  const int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2));
  static const char* kEnds[] = {"03-31", "06-30", "09-30", "12-31"};
  char label[32];
  if (!financial) {
    const int n = (m - 1) / 3;
    std::snprintf(label, sizeof label, "%d Q%d", y, n + 1);
    return {label, std::to_string(y) + "-" + kEnds[n], y * 4 + n};
  }
  const int fy = m >= 4 ? y : y - 1;
  const int n = m >= 4 ? (m - 4) / 3 : 3;
  std::snprintf(label, sizeof label, "%d-%02d Q%d", fy, (fy + 1) % 100, n + 1);
  const int end_year = n == 3 ? fy + 1 : fy;
  return {label, std::to_string(end_year) + "-" + kEnds[(n + 1) % 4], fy * 4 + n};
}

long days_between(const std::string& a, const std::string& b) {
  return pathaudit::core::Date::parse_iso(b)->days() - pathaudit::core::Date::parse_iso(a)->days();
}

// measure|quarter -> "value,numerator,denominator" exactly as the CSV prints them.
std::map<std::string, std::string> expected_rows(const Partnership& p, bool financial) {
  // Which child each event belongs to, as the store linked it.
  auto links = run_pathaudit({"links", "--data-dir", p.data, "--format", "csv"});
  REQUIRE(links.status == 0);
  std::map<std::string, std::string> child_of;  // "AGENCY\tevent_id" -> child_key
  const Rows link_rows = parse_csv_text(links.out);
  REQUIRE(link_rows.at(0) == std::vector<std::string>{"agency", "event_ref", "child_key", "tier"});
  for (std::size_t i = 1; i < link_rows.size(); ++i)
    child_of[link_rows[i][0] + "\t" + link_rows[i][1]] = link_rows[i][2];

  std::map<std::string, std::vector<Ev>> children;
  std::string first = "9999-99-99", last = "0000-00-00";
  for (const auto& file : p.csv_files()) {
    std::ifstream in(file, std::ios::binary);
    const Rows rows = parse_csv(in);
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < rows.at(0).size(); ++i)
      col[rows[0][i]] = i;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const auto& f = rows[r];
      Ev e{f[col.at("agency")],     f[col.at("event_id")],
           f[col.at("event_type")], f[col.at("event_date")],
           f[col.at("to_service")], f[col.at("outcome")],
           f[col.at("relates_to")], {}};
      std::stringstream cats(f[col.at("category")]);
      for (std::string c; std::getline(cats, c, ';');)
        e.category.push_back(c);
      first = std::min(first, e.date);
      last = std::max(last, e.date);
      const auto child = child_of.find(e.agency + "\t" + e.id);
      REQUIRE(child != child_of.end());
      children[child->second].push_back(std::move(e));
    }
  }
  REQUIRE(children.size() > 100);

  std::vector<Q> quarters;
  for (Q q = quarter_of(first, financial); q.ordinal <= quarter_of(last, financial).ordinal;) {
    quarters.push_back(q);
    const std::string next = pathaudit::core::Date::parse_iso(q.last_day)->plus_days(1).iso();
    q = quarter_of(next, financial);
  }

  std::map<std::string, std::map<std::string, long>> counts;  // measure -> quarter -> count
  std::map<std::string, long> sab_in_force, any_in_force;
  for (const auto& [key, events] : children) {
    bool sa = false, factor = false;
    for (const Ev& e : events) {
      for (const auto& c : e.category) {
        sa = sa || has(kSexualAbuse, c);
        factor = factor || has(kFactors, c);
      }
    }
    std::set<std::string> sab_started, cin_started;
    std::vector<const Ev*> starts, ends;
    for (const Ev& e : events) {
      const std::string q = quarter_of(e.date, financial).label;
      if (e.agency == "CSC" && e.type == "contact" && sa)
        ++counts["csa_referrals_to_csc"][q];
      if (e.agency == "CSC" && e.type == "cp_plan_start") {
        starts.push_back(&e);
        if (has(e.category, "SAB"))
          sab_started.insert(q);
      }
      if (e.agency == "CSC" && e.type == "cp_plan_end")
        ends.push_back(&e);
      if (e.agency == "CSC" && e.type == "cin_plan_start" && factor)
        cin_started.insert(q);
      if (e.type == "specialist_referral" && e.to_service == "csa_counselling")
        ++counts["counselling_referrals"][q];
      if (e.type == "specialist_referral" &&
          (e.to_service == "sarc" || e.to_service == "paediatrics"))
        ++counts["paediatric_sarc_referrals"][q];
      if (e.agency == "POLICE" && e.type == "police_report" && sa) {
        bool progressed = false;
        for (const Ev& f : events) {
          const bool step =
              f.agency == "POLICE" &&
              (f.type == "abe_interview" ||
               (f.type == "police_outcome" && (f.outcome == "charged" || f.outcome == "caution")));
          const long days = days_between(e.date, f.date);
          progressed = progressed || (step && days >= 0 && days <= 180);
        }
        if (progressed)
          ++counts["csa_police_reports_investigated"][q];
      }
    }
    for (const auto& q : sab_started)
      ++counts["cp_plans_sab_started"][q];
    for (const auto& q : cin_started)
      ++counts["cin_plans_sexual_abuse_started"][q];

    // Plans: a start runs until the next start, or an end dated on or after it that names it in
    // relates_to, or names no start at all.
    std::stable_sort(starts.begin(), starts.end(),
                     [](const Ev* a, const Ev* b) { return a->date < b->date; });
    for (const Q& q : quarters) {
      bool sab = false, any = false;
      for (std::size_t i = 0; i < starts.size(); ++i) {
        std::string end = i + 1 < starts.size() ? starts[i + 1]->date : "9999-12-31";
        for (const Ev* e : ends) {
          bool names_other = false;
          for (const Ev* s : starts)
            names_other = names_other || (s != starts[i] && s->id == e->relates_to);
          if (e->date >= starts[i]->date && !names_other)
            end = std::min(end, e->date);
        }
        if (starts[i]->date <= q.last_day && q.last_day < end) {
          any = true;
          sab = sab || has(starts[i]->category, "SAB");
        }
      }
      sab_in_force[q.label] += sab;
      any_in_force[q.label] += any;
    }
  }

  std::map<std::string, std::string> out;
  const char* count_measures[] = {
      "csa_referrals_to_csc",           "cp_plans_sab_started",
      "cin_plans_sexual_abuse_started", "csa_police_reports_investigated",
      "counselling_referrals",          "paediatric_sarc_referrals"};
  for (const Q& q : quarters) {
    for (const char* m : count_measures)
      out[std::string(m) + "|" + q.label] = std::to_string(counts[m][q.label]) + ",,";
    out["cp_plans_sab_at_quarter_end|" + q.label] = std::to_string(sab_in_force[q.label]) + ",,";
    const long n = sab_in_force[q.label], d = any_in_force[q.label];
    char value[32] = "";
    if (d > 0)
      std::snprintf(value, sizeof value, "%.4f", static_cast<double>(n) / static_cast<double>(d));
    out["cp_plans_sab_proportion|" + q.label] =
        std::string(value) + "," + std::to_string(n) + "," + std::to_string(d);
  }
  return out;
}

std::map<std::string, std::string> actual_rows(const std::string& csv) {
  const Rows rows = parse_csv_text(csv);
  REQUIRE(rows.at(0) ==
          std::vector<std::string>{"measure", "quarter", "value", "numerator", "denominator"});
  std::map<std::string, std::string> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 5);
    const auto& r = rows[i];
    REQUIRE(out.emplace(r[0] + "|" + r[1], r[2] + "," + r[3] + "," + r[4]).second);
  }
  return out;
}

void require_same(const std::map<std::string, std::string>& expected,
                  const std::map<std::string, std::string>& actual) {
  for (const auto& [key, value] : expected) {
    INFO(key);
    const auto it = actual.find(key);
    REQUIRE(it != actual.end());
    REQUIRE(it->second == value);
  }
  REQUIRE(actual.size() == expected.size());
}

// The sum of one measure's counts over every quarter.
long total(const std::map<std::string, std::string>& rows, const std::string& measure) {
  long sum = 0;
  for (const auto& [key, value] : rows) {
    if (key.rfind(measure + "|", 0) == 0)
      sum += std::stol(value.substr(0, value.find(',')));
  }
  return sum;
}

}  // namespace

TEST_CASE("metrics on a synthetic partnership equal an independent count from its CSV files",
          "[metrics][synth]") {
  Partnership p(1500);
  for (const bool financial : {true, false}) {
    INFO((financial ? "financial" : "calendar"));
    std::vector<std::string> args{"metrics", "--data-dir", p.data, "--format", "csv"};
    if (!financial) {
      args.push_back("--quarters");
      args.push_back("calendar");
    }
    auto r = run_pathaudit(args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto expected = expected_rows(p, financial);
    const auto actual = actual_rows(r.out);
    require_same(expected, actual);
    // The synthetic pathway exercises every measure.
    for (const char* m :
         {"csa_referrals_to_csc", "cp_plans_sab_at_quarter_end", "cp_plans_sab_started",
          "cin_plans_sexual_abuse_started", "csa_police_reports_investigated",
          "counselling_referrals", "paediatric_sarc_referrals"}) {
      INFO(m);
      REQUIRE(total(actual, m) > 10);
    }
  }
}

TEST_CASE(
    "metrics --format csv and json have the documented columns; --from and --to pick "
    "whole quarters",
    "[metrics][format]") {
  Partnership p(400);
  auto csv = run_pathaudit({"metrics", "--data-dir", p.data, "--format", "csv"});
  REQUIRE(csv.status == 0);
  REQUIRE_THAT(csv.out, Catch::StartsWith("measure,quarter,value,numerator,denominator\n"));
  const auto all = actual_rows(csv.out);
  for (const auto& [key, value] : all) {
    INFO(key << " " << value);
    if (key.rfind("cp_plans_sab_proportion|", 0) == 0) {
      REQUIRE_THAT(value, Catch::Matches("(0\\.[0-9]{4}|1\\.0000|),[0-9]+,[0-9]+"));
    } else {
      REQUIRE_THAT(value, Catch::Matches("[0-9]+,,"));
    }
  }
  // Synthetic events start on 2023-01-01: the first financial quarter is 2022-23 Q4.
  REQUIRE(all.count("csa_referrals_to_csc|2022-23 Q4") == 1);
  REQUIRE(all.count("csa_referrals_to_csc|2022-23 Q3") == 0);

  auto json = run_pathaudit({"metrics", "--data-dir", p.data, "--format", "json"});
  REQUIRE(json.status == 0);
  Poco::JSON::Parser parser;
  auto array = parser.parse(json.out).extract<Poco::JSON::Array::Ptr>();
  REQUIRE(array->size() == all.size());
  for (unsigned i = 0; i < array->size(); ++i) {
    auto obj = array->getObject(i);
    std::vector<std::string> names;
    obj->getNames(names);
    std::sort(names.begin(), names.end());
    REQUIRE(names ==
            std::vector<std::string>{"denominator", "measure", "numerator", "quarter", "value"});
    const std::string key =
        obj->getValue<std::string>("measure") + "|" + obj->getValue<std::string>("quarter");
    REQUIRE(all.at(key) == obj->getValue<std::string>("value") + "," +
                               obj->getValue<std::string>("numerator") + "," +
                               obj->getValue<std::string>("denominator"));
  }

  // Mid-quarter dates select whole quarters, with the same numbers as the full report.
  auto part = run_pathaudit({"metrics", "--data-dir", p.data, "--format", "csv", "--from",
                             "2024-05-15", "--to", "2024-08-01"});
  INFO(part.err);
  REQUIRE(part.status == 0);
  const auto some = actual_rows(part.out);
  REQUIRE(some.size() == 16);  // 8 measures x 2 quarters
  for (const auto& [key, value] : some) {
    INFO(key);
    REQUIRE((key.find("|2024-25 Q1") != std::string::npos ||
             key.find("|2024-25 Q2") != std::string::npos));
    REQUIRE(all.at(key) == value);
  }

  auto table = run_pathaudit({"metrics", "--data-dir", p.data});
  REQUIRE(table.status == 0);
  REQUIRE_THAT(table.out, Catch::StartsWith("measure "));
  REQUIRE_THAT(table.out, Catch::Contains("quarters: UK financial year (Q1 = April to June)"));
  REQUIRE_THAT(table.out, Catch::Contains("cp_plans_sab_at_quarter_end: Children on a child "
                                          "protection plan"));
  REQUIRE_THAT(table.out, Catch::Contains("Counts each child with category 19A, 19B, 19C or 11A"));
}

TEST_CASE("metrics shows no identifier and writes no audit-log entry", "[metrics][privacy]") {
  Partnership p(300);
  const auto before = run_pathaudit({"verify-log", "--data-dir", p.data});
  REQUIRE(before.status == 0);
  for (const char* format : {"table", "csv", "json"}) {
    auto r = run_pathaudit({"metrics", "--data-dir", p.data, "--format", format});
    REQUIRE(r.status == 0);
    REQUIRE(r.err.empty());
    // Event references of every synthetic agency, NHS numbers (999 range) and names never appear.
    for (const char* marker : {"CSC-", "PR/", "GP7", "ED2", "HV-", "SCH", "SARC-", "CAMHS1", "VCS/",
                               "EH-", "999 ", "\"999"}) {
      INFO(format << " " << marker);
      REQUIRE(r.out.find(marker) == std::string::npos);
    }
  }
  const std::string events = read_file(p.synth + "/events-CSC.csv");
  const auto second_line = events.find('\n') + 1;
  const auto row = parse_csv_text(events.substr(second_line, events.find('\n', second_line)));
  REQUIRE(row.at(0).size() > 8);
  const std::string surname = row[0][7];
  REQUIRE_FALSE(surname.empty());
  REQUIRE(run_pathaudit({"metrics", "--data-dir", p.data}).out.find(surname) == std::string::npos);
  // Aggregate counts are not case content: the audit log is unchanged.
  REQUIRE(run_pathaudit({"verify-log", "--data-dir", p.data}).out == before.out);
}

TEST_CASE(
    "metrics reads local definitions from --definitions or the setting, with JSON-path "
    "errors",
    "[metrics][definitions]") {
  Partnership p(300);
  const std::string local = p.tmp / "local.json";
  write_file(local, R"({"id": "local", "version": 3, "quarters": "calendar", "measures": [
    {"id": "camhs_referrals", "title": "Referrals to CAMHS", "count": {"unit": "events",
     "timing": "in_quarter", "event": {"event_types": ["specialist_referral"],
     "to_services": ["camhs"], "agency_codes": ["CSC", "EH"]}}}]})");

  auto r = run_pathaudit({"metrics", "--data-dir", p.data, "--format", "csv", "--definitions",
                          local, "--from", "2024-01-01", "--to", "2024-12-31"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto rows = actual_rows(r.out);
  REQUIRE(rows.size() == 4);
  REQUIRE(rows.count("camhs_referrals|2024 Q1") == 1);
  REQUIRE(total(rows, "camhs_referrals") > 0);

  // The same file through the environment's setting; --definitions wins over it.
  const std::string env = "PATHAUDIT_METRICS_DEFINITIONS=" + local;
  auto via_env = run_pathaudit({"metrics", "--data-dir", p.data, "--format", "csv", "--from",
                                "2024-01-01", "--to", "2024-12-31"},
                               {env});
  REQUIRE(via_env.status == 0);
  REQUIRE(via_env.out == r.out);
  const std::string shipped = std::string(PATHAUDIT_TEMPLATES_DIR) + "/metrics/default.json";
  auto overridden = run_pathaudit(
      {"metrics", "--data-dir", p.data, "--format", "csv", "--definitions", shipped}, {env});
  REQUIRE(overridden.status == 0);
  REQUIRE_THAT(overridden.out, Catch::Contains("csa_referrals_to_csc,"));

  // An agency code the partnership does not have, and a typo in a member name.
  const std::string bad = p.tmp / "bad.json";
  write_file(bad, R"({"id": "b", "version": 1, "quarters": "calendar", "measures": [
    {"id": "m", "title": "M", "count": {"unit": "events", "timing": "in_quarter",
     "event": {"event_types": ["contact"], "agency_codes": ["CSC", "MASH"]}}}]})");
  auto e = run_pathaudit({"metrics", "--data-dir", p.data, "--definitions", bad});
  REQUIRE(e.status == 65);
  REQUIRE_THAT(e.err, Catch::Contains("bad.json: $.measures[0].count.event.agency_codes[1]: "
                                      "agency code MASH is not one of the partnership's"));
  write_file(bad, R"({"id": "b", "version": 1, "quarters": "calendar", "measures": [
    {"id": "m", "title": "M", "cuont": {}}]})");
  e = run_pathaudit({"metrics", "--data-dir", p.data, "--definitions", bad});
  REQUIRE(e.status == 65);
  REQUIRE_THAT(e.err, Catch::Contains("bad.json: $.measures[0].cuont: unknown member"));
  e = run_pathaudit({"metrics", "--data-dir", p.data, "--definitions", p.tmp / "missing.json"});
  REQUIRE(e.status == 65);
  REQUIRE_THAT(e.err, Catch::Contains("missing.json: cannot be read"));
}

TEST_CASE("metrics refuses bad options with the documented exit statuses", "[metrics][cli]") {
  Partnership p(100);
  auto r = run_pathaudit({"metrics", "--data-dir", p.data, "--from", "2024-13-01"});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("--from: expects a date as YYYY-MM-DD"));
  r = run_pathaudit(
      {"metrics", "--data-dir", p.data, "--from", "2024-06-01", "--to", "2024-05-31"});
  REQUIRE(r.status == 65);
  REQUIRE_THAT(r.err, Catch::Contains("--to: is before the start of the period (from)"));
  r = run_pathaudit({"metrics", "--data-dir", p.data, "--quarters", "fiscal"});
  REQUIRE(r.status == 64);
  REQUIRE_THAT(r.err, Catch::Contains("--quarters expects financial or calendar"));
  r = run_pathaudit({"metrics", "--data-dir", p.data, "--format", "xlsx"});
  REQUIRE(r.status == 64);
  r = run_pathaudit({"metrics", "--data-dir", p.data, "stray"});
  REQUIRE(r.status == 64);
  r = run_pathaudit({"metrics", "--data-dir", p.tmp / "nothing"});
  REQUIRE(r.status == 1);
  REQUIRE_THAT(r.err, Catch::Contains("pathaudit init"));
  auto help = run_pathaudit({"metrics", "--help"});
  REQUIRE(help.status == 0);
  for (const char* option : {"--from", "--to", "--definitions", "--quarters", "--format"}) {
    INFO(option);
    REQUIRE_THAT(help.out, Catch::Contains(option));
  }
}

TEST_CASE("metrics on an empty data directory prints only the header", "[metrics][cli]") {
  TempDir tmp;
  const std::string data = tmp / "data";
  REQUIRE(run_pathaudit({"init", "--data-dir", data}).status == 0);
  auto r = run_pathaudit({"metrics", "--data-dir", data, "--format", "csv"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.out == "measure,quarter,value,numerator,denominator\n");
  // With a period, every quarter is a true zero.
  r = run_pathaudit({"metrics", "--data-dir", data, "--format", "csv", "--from", "2024-04-01",
                     "--to", "2024-04-01"});
  REQUIRE(r.status == 0);
  REQUIRE_THAT(r.out, Catch::Contains("\ncsa_referrals_to_csc,2024-25 Q1,0,,\n"));
  REQUIRE_THAT(r.out, Catch::Contains("\ncp_plans_sab_proportion,2024-25 Q1,,0,0\n"));
}
