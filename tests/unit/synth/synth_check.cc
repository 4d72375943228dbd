#include "synth_check.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "ingest/normalise.h"
#include "service/reference_data.h"
#include "test_support.h"

namespace pathaudit::synthcheck {

using core::Date;

const char* const kColumns[18] = {
    "agency",     "event_id",     "event_type", "event_date", "nhs_number",  "local_child_id",
    "forename",   "surname",      "dob",        "sex",        "entry_point", "to_agency",
    "to_service", "participants", "outcome",    "category",   "relates_to",  "notes"};

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  int line = 1;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error("line " + std::to_string(line) + ": " + why);
  };
  if (text.find('\r') != std::string::npos)
    throw std::runtime_error("CR in file: line ends must be \\n");
  while (i < text.size()) {
    // One field.
    field.clear();
    if (text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size())
          fail("unterminated quoted field");
        const char c = text[i++];
        if (c == '"') {
          if (i < text.size() && text[i] == '"') {
            field += '"';
            ++i;
          } else {
            break;
          }
        } else {
          if (c == '\n')
            ++line;
          field += c;
        }
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n')
        fail("text after a closing quote");
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n') {
        if (text[i] == '"')
          fail("quote inside an unquoted field");
        field += text[i++];
      }
    }
    record.push_back(field);
    if (i >= text.size())
      fail("last record has no line end");
    if (text[i] == '\n') {
      records.push_back(std::move(record));
      record.clear();
      ++line;
    }
    ++i;
  }
  return records;
}

Output load(const std::string& dir) {
  Output out;
  const core::Partnership p = service::load_partnership(dir + "/partnership.json");
  for (const auto& a : p.agencies) {
    out.agencies.push_back(a.code);
    out.kinds[a.code] = a.kind;
  }
  for (const std::string& code : out.agencies) {
    const std::string file = dir + "/events-" + code + ".csv";
    INFO(file);
    const auto records = parse_csv(testing::read_file(file));
    REQUIRE(!records.empty());
    REQUIRE(records[0] == std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
    auto& rows = out.rows[code];
    for (std::size_t r = 1; r < records.size(); ++r) {
      const auto& f = records[r];
      REQUIRE(f.size() == 18);
      Row row{f[0], f[1],  f[2],  f[3],  f[4],  f[5],  f[6],  f[7],  f[8],
              f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16], f[17]};
      const auto d = Date::parse_iso(row.event_date);
      row.date = d.value_or(Date());
      rows.push_back(std::move(row));
    }
  }
  const auto truth = parse_csv(testing::read_file(dir + "/truth/events.csv"));
  REQUIRE(truth.at(0) == std::vector<std::string>{"agency", "event_id", "child"});
  for (std::size_t r = 1; r < truth.size(); ++r) {
    REQUIRE(truth[r].size() == 3);
    const bool fresh =
        out.truth_child.emplace(std::make_pair(truth[r][0], truth[r][1]), std::stoi(truth[r][2]))
            .second;
    REQUIRE(fresh);
  }
  for (auto& [code, rows] : out.rows) {
    for (Row& row : rows) {
      auto it = out.truth_child.find({code, row.event_id});
      row.child = it == out.truth_child.end() ? 0 : it->second;
    }
  }
  const auto gaps = parse_csv(testing::read_file(dir + "/truth/gaps.csv"));
  REQUIRE(gaps.at(0) == std::vector<std::string>{"rule", "child", "event_refs"});
  for (std::size_t r = 1; r < gaps.size(); ++r) {
    REQUIRE(gaps[r].size() == 3);
    out.truth_gaps.emplace(gaps[r][0], std::stoi(gaps[r][1]), gaps[r][2]);
  }
  out.summary_json = testing::read_file(dir + "/truth/summary.json");
  return out;
}

namespace {

const std::set<std::string> kEventTypes = {"concern_identified",
                                           "contact",
                                           "referral",
                                           "referral_decision",
                                           "early_help_assessment",
                                           "strategy_discussion",
                                           "s47_start",
                                           "s47_outcome",
                                           "assessment_start",
                                           "assessment_complete",
                                           "abe_interview",
                                           "medical_assessment",
                                           "icpc",
                                           "cp_plan_start",
                                           "core_group",
                                           "review_conference",
                                           "cp_plan_end",
                                           "cin_plan_start",
                                           "police_report",
                                           "crime_recorded",
                                           "police_outcome",
                                           "specialist_referral",
                                           "specialist_assessment",
                                           "therapeutic_support_start",
                                           "information_shared",
                                           "case_closed"};

const std::set<std::string> kEntryPoints = {"school",     "gp",     "ed",    "health_visitor",
                                            "police",     "sarc",   "camhs", "vcs",
                                            "early_help", "family", "self",  "other"};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

bool code_token(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool category_code(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

}  // namespace

std::vector<std::string> contract_problems(const Output& out, Date start, Date end) {
  std::vector<std::string> problems;
  auto problem = [&](const Row& r, const std::string& what) {
    if (problems.size() < 50)
      problems.push_back(r.agency + ":" + r.event_id + ": " + what);
  };
  std::size_t rows_total = 0;
  for (const auto& [code, rows] : out.rows) {
    std::map<std::string, Date> ids;
    for (const Row& r : rows)
      ids.emplace(r.event_id, r.date);
    if (ids.size() != rows.size())
      problems.push_back(code + ": event_id not unique");
    const Row* prev = nullptr;
    for (const Row& r : rows) {
      ++rows_total;
      if (r.agency != code)
        problem(r, "agency differs from the file's agency");
      if (r.event_id.empty())
        problem(r, "empty event_id");
      if (!kEventTypes.count(r.event_type))
        problem(r, "event_type outside the vocabulary");
      const auto d = Date::parse_iso(r.event_date);
      if (!d)
        problem(r, "event_date not ISO");
      else if (*d < start || *d > end)
        problem(r, "event_date outside --start..--end");
      if (!r.nhs_number.empty() && !ingest::normalise_nhs_number(r.nhs_number))
        problem(r, "invalid NHS number");
      if (!r.dob.empty()) {
        const auto dob = Date::parse_iso(r.dob);
        if (!dob)
          problem(r, "dob not ISO");
        else if (d && *d < *dob)
          problem(r, "event before the recorded dob");
      }
      if (!r.sex.empty() && r.sex != "F" && r.sex != "M" && r.sex != "X" && r.sex != "U")
        problem(r, "sex code");
      if (!r.entry_point.empty() && !kEntryPoints.count(r.entry_point))
        problem(r, "entry_point outside the vocabulary");
      if (!r.to_agency.empty() && !out.kinds.count(r.to_agency))
        problem(r, "to_agency is not a partnership agency");
      if (!r.to_service.empty() && !code_token(r.to_service))
        problem(r, "to_service not a code");
      if (!r.participants.empty()) {
        for (const auto& p : split(r.participants, ';')) {
          if (!out.kinds.count(p))
            problem(r, "participant is not a partnership agency");
        }
      }
      if (!r.outcome.empty() && !code_token(r.outcome))
        problem(r, "outcome not a code");
      if (!r.category.empty()) {
        for (const auto& c : split(r.category, ';')) {
          if (!category_code(c))
            problem(r, "category code");
        }
      }
      if (!r.relates_to.empty()) {
        const auto target = ids.find(r.relates_to);
        if (target == ids.end())
          problem(r, "relates_to names no event of the same agency");
        else if (target->second > r.date)
          problem(r, "relates_to names a later event");
      }
      if (r.nhs_number.empty() && r.local_child_id.empty() && (r.surname.empty() || r.dob.empty()))
        problem(r, "row does not identify the child");
      if (r.child == 0)
        problem(r, "row missing from truth/events.csv");
      if (prev && (prev->date > r.date || (prev->date == r.date && prev->event_id >= r.event_id)))
        problem(r, "rows not sorted by event_date then event_id");
      prev = &r;
    }
  }
  if (rows_total != out.truth_child.size())
    problems.push_back("truth/events.csv has " + std::to_string(out.truth_child.size()) +
                       " rows for " + std::to_string(rows_total) + " events");
  return problems;
}

namespace {

struct Ev {
  const Row* row;
  Date date() const { return row->date; }
  const std::string& agency() const { return row->agency; }
  const std::string& type() const { return row->event_type; }
  std::string ref() const { return row->agency + ":" + row->event_id; }
};

bool by_date_agency_id(const Ev& a, const Ev& b) {
  if (a.date() != b.date())
    return a.date() < b.date();
  if (a.agency() != b.agency())
    return a.agency() < b.agency();
  return a.row->event_id < b.row->event_id;
}

std::string refs(const std::vector<Ev>& evs) {
  std::string s;
  for (const Ev& e : evs)
    s += (s.empty() ? "" : ";") + e.ref();
  return s;
}

bool has_sa_code(const std::string& category) {
  for (const auto& c : split(category, ';')) {
    if (c == "SAB" || c == "19A" || c == "19B" || c == "19C" || c == "11A")
      return true;
  }
  return false;
}

}  // namespace

std::multiset<std::tuple<std::string, int, std::string>> evaluate(
    const Output& out, const core::WorkingDayCalendar& cal, const Reading& how) {
  std::map<int, std::vector<Ev>> children;
  for (const auto& [code, rows] : out.rows) {
    for (const Row& r : rows)
      children[r.child].push_back(Ev{&r});
  }
  auto kind = [&](const std::string& code) {
    auto it = out.kinds.find(code);
    return it == out.kinds.end() ? std::string() : it->second;
  };
  // "On or before add_working_days(start, n)", or the counting reading.
  auto within_wd = [&](Date start, Date d, int n) {
    if (how.working_days_counted)
      return d >= start && cal.working_days_between(start, d) <= n;
    return d >= start && d <= cal.add_working_days(start, n);
  };
  auto within_days = [&](int diff, int n) {
    return how.day_windows_exclusive ? diff < n : diff <= n;
  };

  std::multiset<std::tuple<std::string, int, std::string>> flags;
  for (auto& [child, evs] : children) {
    std::sort(evs.begin(), evs.end(), by_date_agency_id);
    auto flag = [&, c = child](const char* rule, const std::vector<Ev>& evidence) {
      flags.emplace(rule, c, refs(evidence));
    };
    auto of_type = [&](const char* type) {
      std::vector<Ev> v;
      for (const Ev& e : evs) {
        if (e.type() == type)
          v.push_back(e);
      }
      return v;
    };

    // duplicate_referral
    std::map<std::string, std::vector<Ev>> by_service;
    for (const Ev& e : of_type("specialist_referral")) {
      if (!e.row->to_service.empty())
        by_service[e.row->to_service].push_back(e);
    }
    for (const auto& [service, refs_] : by_service) {
      bool dup = false;
      for (const Ev& a : refs_) {
        for (const Ev& b : refs_)
          dup = dup || (a.agency() != b.agency() && within_days(std::abs(b.date() - a.date()), 90));
      }
      if (dup)
        flag("duplicate_referral", refs_);
    }

    // repeated_account
    std::vector<Ev> accounts;
    for (const Ev& e : evs) {
      if (e.type() == "abe_interview" || e.type() == "assessment_start" ||
          e.type() == "specialist_assessment" || e.type() == "early_help_assessment")
        accounts.push_back(e);
    }
    std::set<std::size_t> members;
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      std::vector<std::size_t> window;
      std::set<std::string> agencies;
      for (std::size_t j = i; j < accounts.size(); ++j) {
        if (within_days(accounts[j].date() - accounts[i].date(), 180)) {
          window.push_back(j);
          agencies.insert(accounts[j].agency());
        }
      }
      if (window.size() >= 3 && agencies.size() >= 2)
        members.insert(window.begin(), window.end());
    }
    if (!members.empty()) {
      std::vector<Ev> evidence;
      for (std::size_t m : members)
        evidence.push_back(accounts[m]);
      flag("repeated_account", evidence);
    }

    // strategy_without_partner
    for (const Ev& e : of_type("strategy_discussion")) {
      std::set<std::string> kinds;
      for (const auto& p : split(e.row->participants, ';')) {
        std::string k = kind(p);
        if (how.specialist_kinds_are_health && (k == "sarc" || k == "camhs"))
          k = "health";
        kinds.insert(k);
      }
      if (!kinds.count("csc") || !kinds.count("police") || !kinds.count("health"))
        flag("strategy_without_partner", {e});
    }

    const std::vector<Ev> shares = of_type("information_shared");
    auto shared = [&](const Ev& source, const std::string& to, int wd) {
      for (const Ev& s : shares) {
        if (s.agency() == source.agency() && s.row->relates_to == source.row->event_id &&
            (to.empty() ? kind(s.row->to_agency) == "csc" : s.row->to_agency == to) &&
            within_wd(source.date(), s.date(), wd))
          return true;
      }
      return false;
    };

    // abe_not_shared
    for (const Ev& e : of_type("abe_interview")) {
      if (!shared(e, "", 1))
        flag("abe_not_shared", {e});
    }

    // outcome_not_shared
    for (const Ev& o : evs) {
      if (o.type() != "s47_outcome" && o.type() != "police_outcome")
        continue;
      std::set<std::string> involved;
      for (const Ev& e : evs) {
        const int before = o.date() - e.date();
        const bool in_window =
            before >= (how.involvement_excludes_outcome_day ? 1 : 0) && before <= 90;
        if (!in_window || (how.involvement_ignores_sharing && e.type() == "information_shared"))
          continue;
        involved.insert(e.agency());
        if (how.involvement_counts_named_agencies) {
          if (!e.row->to_agency.empty())
            involved.insert(e.row->to_agency);
          for (const auto& p : split(e.row->participants, ';')) {
            if (!p.empty())
              involved.insert(p);
          }
        }
      }
      involved.erase(o.agency());
      bool all = true;
      for (const std::string& b : involved)
        all = all && shared(o, b, 5);
      if (!all)
        flag("outcome_not_shared", {o});
    }

    // referral_decision_late, assessment_late
    std::vector<Ev> contacts;
    for (const Ev& e : of_type("contact")) {
      if (kind(e.agency()) == "csc")
        contacts.push_back(e);
    }
    for (const Ev& c : contacts) {
      std::vector<Ev> decisions;
      for (const Ev& d : of_type("referral_decision")) {
        if (d.agency() == c.agency() && d.row->relates_to == c.row->event_id)
          decisions.push_back(d);
      }
      if (decisions.empty())
        flag("referral_decision_late", {c});
      else if (!within_wd(c.date(), decisions.front().date(), 1))
        flag("referral_decision_late", {c, decisions.front()});
    }
    for (const Ev& a : of_type("assessment_complete")) {
      if (contacts.size() != 1) {
        flag("assessment_late(ambiguous referral)", {a});
        continue;
      }
      if (!within_wd(contacts[0].date(), a.date(), 45))
        flag("assessment_late", {contacts[0], a});
    }

    // icpc_late, core_group_late, review_late
    std::vector<Ev> strategies;
    for (const Ev& s : of_type("strategy_discussion")) {
      if (s.row->outcome == "s47")
        strategies.push_back(s);
    }
    const std::vector<Ev> core_groups = of_type("core_group");
    const std::vector<Ev> reviews = of_type("review_conference");
    for (const Ev& i : of_type("icpc")) {
      if (strategies.size() != 1) {
        flag("icpc_late(ambiguous strategy discussion)", {i});
      } else if (!within_wd(strategies[0].date(), i.date(), 15)) {
        flag("icpc_late", {strategies[0], i});
      }
      const Ev* first = nullptr;
      for (const Ev& g : core_groups) {
        if (g.date() >= i.date() && (!first || g.date() < first->date()))
          first = &g;
      }
      if (!first)
        flag("core_group_late", {i});
      else if (!within_wd(i.date(), first->date(), 10))
        flag("core_group_late", {i, *first});
      Ev prev = i;
      for (std::size_t k = 0; k < reviews.size(); ++k) {
        if (reviews[k].date() > prev.date().plus_months(k == 0 ? 3 : 6))
          flag("review_late", {prev, reviews[k]});
        prev = reviews[k];
      }
    }

    // no_medical_considered
    bool sexual_abuse = false;
    for (const Ev& e : evs)
      sexual_abuse = sexual_abuse || has_sa_code(e.row->category);
    for (const Ev& s : of_type("s47_start")) {
      if (!sexual_abuse)
        continue;
      bool medical = false;
      for (const Ev& m : of_type("medical_assessment")) {
        const int after = m.date() - s.date();
        medical =
            medical || ((after >= 0 || (how.medical_before_counts && within_days(-after, 30))) &&
                        within_days(after, 30));
      }
      if (!medical)
        flag("no_medical_considered", {s});
    }

    // nfa_wording
    for (const Ev& e : of_type("police_outcome")) {
      if (e.row->outcome == "nfa")
        flag("nfa_wording", {e});
    }
  }
  return flags;
}

long long summary_number(const std::string& json, const std::vector<std::string>& path) {
  Poco::JSON::Parser parser;
  Poco::Dynamic::Var v = parser.parse(json);
  for (const std::string& key : path)
    v = v.extract<Poco::JSON::Object::Ptr>()->get(key);
  return v.convert<long long>();
}

}  // namespace pathaudit::synthcheck
