#include "service/audits.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

#include "core/errors.h"
#include "core/template.h"
#include "core/vocabulary.h"
#include "service/input_error.h"
#include "service/json_file.h"
#include "service/json_text.h"
#include "store/event_facts.h"
#include "store/sqlite_statement.h"
#include "store/templates.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

// Scope lists, in the JSON member order they are stored in.
const char* const kCategories = "categories";
const char* const kEntryPoints = "entry_points";
const char* const kFlagRules = "flag_rules";

// Sorted, without duplicates, each item checked.
std::vector<std::string> clean_list(std::vector<std::string> items, const char* option,
                                    bool (*valid)(const std::string&),
                                    const std::string& expected) {
  for (const auto& item : items) {
    if (!valid(item))
      throw core::ValidationError("--" + std::string(option) + ": \"" + item + "\": " + expected);
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

bool is_rule_id(const std::string& v) {
  return v.size() <= 64 && core::is_code_token(v);
}

bool is_entry_point(const std::string& v) {
  return core::in_vocabulary(core::entry_points(), v);
}

AuditScope validated(const AuditScope& in) {
  AuditScope out;
  out.categories = clean_list(
      in.categories, "scope-category",
      [](const std::string& v) { return core::is_category_code(v); },
      "expected a code of upper-case letters, digits and _, such as "
      "SAB or 19B");
  out.flag_rules = clean_list(in.flag_rules, "scope-flag", is_rule_id,
                              "expected a rule id of lower-case letters, digits and _, such as "
                              "duplicate_referral");
  out.entry_points = clean_list(in.entry_points, "scope-entry-point", is_entry_point,
                                "expected one of " + core::vocabulary_list(core::entry_points()));
  return out;
}

core::Date parse_date(const char* option, const std::string& text) {
  const auto d = core::Date::parse_iso(text);
  if (!d)
    throw core::ValidationError(std::string("--") + option + " expects a date as YYYY-MM-DD");
  return *d;
}

struct TemplateRef {
  std::string key;
  std::optional<int> version;
};

TemplateRef parse_template_ref(const std::string& text) {
  TemplateRef ref;
  const auto at = text.find('@');
  ref.key = text.substr(0, at);
  if (!core::is_template_key(ref.key)) {
    throw core::ValidationError(
        "--template expects KEY or KEY@VERSION, the key in lower-case letters, digits and - "
        "(see `pathaudit templates list`)");
  }
  if (at != std::string::npos) {
    const std::string v = text.substr(at + 1);
    int version = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
    if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || version < 1)
      throw InputError("template", text + ": the version after @ is a number from 1");
    ref.version = version;
  }
  return ref;
}

void check_title(const std::string& title) {
  const bool control = std::any_of(title.begin(), title.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  if (title.empty() || title.size() > 200 || control)
    throw InputError("title", "expects 1 to 200 characters with no control characters");
}

std::vector<AuditRecord> query_audits(store::Session& s, const std::string& where,
                                      std::vector<std::int64_t> params) {
  Poco::Data::Statement st(s);
  st << "SELECT a.id, a.title, a.template_id, t.template_key, t.version, a.period_start, "
        "a.period_end, a.scope, a.status, a.created_by, a.created_at, a.dual_review "
        "FROM audits a JOIN templates t ON t.id = a.template_id " +
            where;
  for (auto& p : params)
    st, use(p);
  st.execute();
  Poco::Data::RecordSet rs(st);
  std::vector<AuditRecord> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
    AuditRecord a;
    a.id = rs[0].convert<std::int64_t>();
    a.title = rs[1].convert<std::string>();
    a.template_id = rs[2].convert<std::int64_t>();
    a.template_key = rs[3].convert<std::string>();
    a.template_version = rs[4].convert<int>();
    const auto start = core::Date::parse_iso(rs[5].convert<std::string>());
    const auto end = core::Date::parse_iso(rs[6].convert<std::string>());
    if (!start || !end)
      throw core::Error("audit " + std::to_string(a.id) + " has an unreadable period");
    a.period_start = *start;
    a.period_end = *end;
    a.scope = AuditScope::from_json(rs[7].convert<std::string>());
    a.dual_review = rs[11].convert<int>() != 0;
    a.status = rs[8].convert<std::string>();
    a.created_by = rs[9].convert<std::string>();
    a.created_at = rs[10].convert<std::string>();
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> json_strings(const JsonNode& scope, const char* member) {
  std::vector<std::string> out;
  if (const auto array = scope.find(member)) {
    for (const JsonNode& e : array->elements())
      out.push_back(e.as_string());
  }
  return out;
}

// Children of the population: child id -> display key, and child id -> open or confirmed rules.
std::unordered_map<std::int64_t, std::set<std::string>> active_flags(store::Session& s) {
  std::unordered_map<std::int64_t, std::set<std::string>> out;
  store::Statement q(store::connection(s),
                     "SELECT child_id, rule_id FROM flags WHERE status IN ('open', 'confirmed')");
  while (q.row())
    out[sqlite3_column_int64(q.get(), 0)].insert(store::column_text(q.get(), 1));
  return out;
}

bool any_of_codes(const std::vector<core::Event>& events, const std::vector<std::string>& codes) {
  for (const auto& e : events) {
    for (const auto& c : e.category) {
      if (std::binary_search(codes.begin(), codes.end(), c))
        return true;
    }
  }
  return false;
}

}  // namespace

std::string AuditScope::to_json() const {
  Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
  auto put = [&](const char* member, const std::vector<std::string>& items) {
    if (items.empty())
      return;
    Poco::JSON::Array array;
    for (const auto& i : items)
      array.add(i);
    obj.set(member, array);
  };
  put(kCategories, categories);
  put(kEntryPoints, entry_points);
  put(kFlagRules, flag_rules);
  return json_text(obj);
}

AuditScope AuditScope::from_json(const std::string& json) {
  try {
    const JsonNode root = JsonNode::parse_text(json, "audits.scope");
    root.allow_only({kCategories, kEntryPoints, kFlagRules});
    AuditScope scope;
    scope.categories = json_strings(root, kCategories);
    scope.entry_points = json_strings(root, kEntryPoints);
    scope.flag_rules = json_strings(root, kFlagRules);
    return scope;
  } catch (const core::ValidationError& e) {
    // Only create_audit writes scopes, so this is damage to the database, not bad input.
    throw core::Error(std::string("an audit scope in the database is damaged (") + e.what() + ")");
  }
}

std::string age_band(std::optional<int> age) {
  if (!age || *age < 0 || *age > 17)
    return "unknown";
  if (*age < 1)
    return "under 1";
  if (*age <= 4)
    return "1-4";
  if (*age <= 9)
    return "5-9";
  if (*age <= 15)
    return "10-15";
  return "16-17";
}

bool has_sexual_abuse_code(const std::vector<core::Event>& events) {
  static const std::vector<std::string> codes{"11A", "19A", "19B", "19C", "SAB"};  // sorted
  return any_of_codes(events, codes);
}

AuditRecord create_audit(Context& ctx, const Principal& who, const NewAudit& audit) {
  require_qa(who, "creating an audit");
  check_title(audit.title);
  const core::Date start = parse_date("period-start", audit.period_start);
  const core::Date end = parse_date("period-end", audit.period_end);
  if (end < start) {
    throw core::ValidationError("the period ends (" + end.iso() + ") before it starts (" +
                                start.iso() + ")");
  }
  const TemplateRef ref = parse_template_ref(audit.template_ref);
  const AuditScope scope = validated(audit.scope);
  return ctx.db().write([&](store::Session& s) {
    const auto tmpl = store::find_template(s, ref.key, ref.version);
    if (!tmpl) {
      throw core::NotFoundError(
          "template " + ref.key + (ref.version ? " version " + std::to_string(*ref.version) : "") +
          " is not imported; run `pathaudit templates import` (and `pathaudit templates list` to "
          "see what is)");
    }
    std::string title = audit.title, period_start = start.iso(), period_end = end.iso();
    std::string scope_json = scope.to_json(), by = who.actor(), at = ctx.clock().now_utc();
    std::int64_t template_id = tmpl->id;
    int dual = audit.dual_review ? 1 : 0;
    s << "INSERT INTO audits (title, template_id, period_start, period_end, scope, created_by, "
         "created_at, dual_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        use(title), use(template_id), use(period_start), use(period_end), use(scope_json), use(by),
        use(at), use(dual), now;
    std::int64_t id = 0;
    s << "SELECT last_insert_rowid()", into(id), now;
    audit_as(ctx, s, who, "audit.create", "audit:" + std::to_string(id),
             "ok: template " + tmpl->key + "@" + std::to_string(tmpl->version) +
                 (audit.dual_review ? ", blind dual review" : ""));
    return load_audit(s, id);
  });
}

std::vector<AuditRecord> list_audits(Context& ctx, const Principal& who) {
  require_qa(who, "listing audits");
  return ctx.db().read([](store::Session& s) { return query_audits(s, "ORDER BY a.id", {}); });
}

AuditRecord load_audit(store::Session& s, std::int64_t id) {
  auto found = query_audits(s, "WHERE a.id = ?", {id});
  if (found.empty()) {
    throw core::NotFoundError("audit " + std::to_string(id) +
                              " does not exist; see `pathaudit audit list`");
  }
  return found.front();
}

std::optional<AuditRecord> previous_audit(store::Session& s, const AuditRecord& audit) {
  std::optional<AuditRecord> out;
  for (AuditRecord& a : query_audits(s, "WHERE a.id < ? ORDER BY a.id", {audit.id})) {
    if (a.template_key == audit.template_key)
      out = std::move(a);
  }
  return out;
}

AuditRecord get_audit(Context& ctx, const Principal& who, std::int64_t id) {
  require_qa(who, "reading an audit");
  return ctx.db().read([&](store::Session& s) { return load_audit(s, id); });
}

PopulationFilter::PopulationFilter(store::Session& s, const AuditRecord& audit)
    : audit_(audit), agencies_(store::load_agencies(s)), flags_(active_flags(s)) {
  store::Statement q(store::connection(s), "SELECT id, display_key FROM children");
  while (q.row())
    keys_.emplace(sqlite3_column_int64(q.get(), 0), store::column_text(q.get(), 1));
}

std::optional<PopulationMember> PopulationFilter::member(
    std::int64_t child, const std::vector<core::Event>& events) const {
  // Events are in date order: the period is one contiguous run.
  auto first = std::find_if(events.begin(), events.end(),
                            [&](const core::Event& e) { return e.date >= audit_.period_start; });
  auto last = std::find_if(first, events.end(),
                           [&](const core::Event& e) { return e.date > audit_.period_end; });
  if (first == last)
    return std::nullopt;
  const AuditScope& scope = audit_.scope;
  const auto flag_it = flags_.find(child);
  if (!scope.categories.empty() && !any_of_codes(events, scope.categories))
    return std::nullopt;
  if (!scope.flag_rules.empty()) {
    if (flag_it == flags_.end())
      return std::nullopt;
    const bool match = std::any_of(scope.flag_rules.begin(), scope.flag_rules.end(),
                                   [&](const std::string& r) { return flag_it->second.count(r); });
    if (!match)
      return std::nullopt;
  }
  if (!scope.entry_points.empty()) {
    const bool match = std::any_of(first, last, [&](const core::Event& e) {
      return std::binary_search(scope.entry_points.begin(), scope.entry_points.end(),
                                e.entry_point);
    });
    if (!match)
      return std::nullopt;
  }
  PopulationMember m;
  m.child_id = child;
  const auto key = keys_.find(child);
  if (key == keys_.end())
    throw core::Error("an event is linked to a child that does not exist; run `pathaudit import`");
  m.child_key = key->second;
  m.agency = agencies_.code(first->agency);
  m.entry_point = "unknown";
  for (auto e = first; e != last; ++e) {
    if (!e->entry_point.empty()) {
      m.entry_point = e->entry_point;
      break;
    }
  }
  // Age at the first event in the period: the first event on that date that records an age.
  std::optional<int> age;
  for (auto e = first; e != last && e->date == first->date && !age; ++e)
    age = e->age_years;
  m.age_band = age_band(age);
  m.category = has_sexual_abuse_code(events) ? "sexual abuse" : "other";
  m.flagged = flag_it != flags_.end();
  return m;
}

std::vector<PopulationMember> audit_population(store::Session& s, const AuditRecord& audit) {
  const PopulationFilter filter(s, audit);
  std::vector<PopulationMember> out;
  store::for_each_child(s, store::load_agencies(s),
                        [&](std::int64_t child, std::vector<core::Event>& events) {
                          if (auto m = filter.member(child, events))
                            out.push_back(std::move(*m));
                        });
  std::sort(out.begin(), out.end(), [](const PopulationMember& a, const PopulationMember& b) {
    return a.child_key < b.child_key;
  });
  return out;
}

AuditOverview audit_overview(Context& ctx, const Principal& who, std::int64_t id) {
  require_qa(who, "reading an audit");
  return ctx.db().read([&](store::Session& s) {
    AuditOverview o;
    o.audit = load_audit(s, id);
    o.population = static_cast<std::int64_t>(audit_population(s, o.audit).size());
    Poco::Data::Statement st(s);
    std::int64_t audit_id = id;
    st << "SELECT id, size, seed, method, population_hash, created_at FROM samples "
          "WHERE audit_id = ? ORDER BY id DESC LIMIT 1",
        use(audit_id);
    st.execute();
    Poco::Data::RecordSet rs(st);
    if (rs.moveFirst()) {
      o.sample_id = rs[0].convert<std::int64_t>();
      o.sample_size = rs[1].convert<std::int64_t>();
      o.sample_seed = rs[2].convert<std::string>();
      o.sample_method = rs[3].convert<std::string>();
      o.population_hash = rs[4].convert<std::string>();
      o.sampled_at = rs[5].convert<std::string>();
      std::int64_t sample_id = *o.sample_id;
      s << "SELECT count(*) FILTER (WHERE a.kind = 'return'), "
           "count(*) FILTER (WHERE a.kind = 'return' AND a.user_id IS NULL), "
           "count(*) FILTER (WHERE a.kind = 'discussion') "
           "FROM assignments a JOIN sample_cases c ON c.id = a.sample_case_id "
           "WHERE c.sample_id = ?",
          into(o.returns), into(o.unassigned_returns), into(o.discussions), use(sample_id), now;
      Poco::Data::Statement cases(s);
      cases << "SELECT c.id, ch.display_key, coalesce(c.stratum, '') FROM sample_cases c "
               "JOIN children ch ON ch.id = c.child_id WHERE c.sample_id = ? "
               "ORDER BY ch.display_key",
          use(sample_id);
      cases.execute();
      Poco::Data::RecordSet rows(cases);
      for (bool more = rows.moveFirst(); more; more = rows.moveNext())
        o.cases.push_back({rows[0].convert<std::int64_t>(), rows[1].convert<std::string>(),
                           rows[2].convert<std::string>()});
    }
    return o;
  });
}

}  // namespace pathaudit::service
