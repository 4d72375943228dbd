#include "service/metrics.h"

#include <set>

#include "core/agency.h"
#include "core/errors.h"
#include "core/vocabulary.h"
#include "service/input_error.h"
#include "service/json_file.h"
#include "store/event_facts.h"

namespace pathaudit::service {
namespace {

// The longest follow-up window a definition may ask for: ten years.
constexpr std::int64_t kMaxWithinDays = 3660;

// A --from or --to date as typed; nullopt when not given.
std::optional<core::Date> option_date(const char* name, const std::optional<std::string>& text) {
  if (!text)
    return std::nullopt;
  const auto d = core::Date::parse_iso(*text);
  if (!d)
    throw InputError(name, "expects a date as YYYY-MM-DD");
  return d;
}

template <class Check>
std::vector<std::string> string_list(const JsonNode& node, Check check, const std::string& what) {
  std::vector<std::string> out;
  for (const JsonNode& e : node.elements()) {
    std::string value = e.as_nonempty_string();
    if (!check(value))
      e.fail("expected " + what);
    out.push_back(std::move(value));
  }
  return out;
}

std::vector<std::string> optional_list(const JsonNode& parent, std::string_view key, auto check,
                                       const std::string& what) {
  if (auto node = parent.find(key))
    return string_list(*node, check, what);
  return {};
}

core::EventFilter load_filter(const JsonNode& node, const core::AgencyDirectory* agencies) {
  node.allow_only({"event_types", "agency_kinds", "agency_codes", "to_agency_kinds", "to_services",
                   "outcomes", "categories"});
  core::EventFilter f;
  const JsonNode types = node.at("event_types");
  for (const JsonNode& t : types.elements()) {
    const auto type = core::parse_event_type(t.as_string());
    if (!type)
      t.fail("expected one of " + core::vocabulary_list(core::event_types()));
    f.event_types.push_back(*type);
  }
  if (f.event_types.empty())
    types.fail("expected at least one event type");
  const std::string kinds = "one of " + core::vocabulary_list(core::agency_kinds());
  f.agency_kinds = optional_list(
      node, "agency_kinds", [](const std::string& k) { return core::is_agency_kind(k); }, kinds);
  f.to_agency_kinds = optional_list(
      node, "to_agency_kinds", [](const std::string& k) { return core::is_agency_kind(k); }, kinds);
  if (auto codes = node.find("agency_codes")) {
    for (const JsonNode& c : codes->elements()) {
      std::string code = c.as_nonempty_string();
      if (!core::is_agency_code(code))
        c.fail("expected an agency code of upper-case letters, digits, '-' or '_'");
      if (agencies && !agencies->id_of(code))
        c.fail("agency code " + code + " is not one of the partnership's agencies");
      f.agency_codes.push_back(std::move(code));
    }
  }
  auto token = [](const std::string& v) { return core::is_code_token(v); };
  f.to_services =
      optional_list(node, "to_services", token, "a lower-case code of letters, digits and '_'");
  f.outcomes =
      optional_list(node, "outcomes", token, "a lower-case code of letters, digits and '_'");
  f.categories = optional_list(
      node, "categories", [](const std::string& c) { return core::is_category_code(c); },
      "an upper-case code of letters, digits and _ (SAB, 19C, ...)");
  return f;
}

core::CountDefinition load_count(const JsonNode& node, const core::AgencyDirectory* agencies) {
  node.allow_only(
      {"unit", "timing", "event", "child_has_category", "ended_by", "followed_by", "within_days"});
  core::CountDefinition c;
  const JsonNode unit = node.at("unit");
  const std::string u = unit.as_string();
  if (u == "events")
    c.unit = core::CountUnit::events;
  else if (u == "children")
    c.unit = core::CountUnit::children;
  else
    unit.fail("expected one of events, children");
  const JsonNode timing = node.at("timing");
  const std::string t = timing.as_string();
  if (t == "in_quarter")
    c.timing = core::Timing::in_quarter;
  else if (t == "in_force_at_quarter_end")
    c.timing = core::Timing::in_force_at_quarter_end;
  else
    timing.fail("expected one of in_quarter, in_force_at_quarter_end");
  c.event = load_filter(node.at("event"), agencies);
  c.child_has_category = optional_list(
      node, "child_has_category", [](const std::string& v) { return core::is_category_code(v); },
      "an upper-case code of letters, digits and _ (SAB, 19C, ...)");

  const auto ended_by = node.find("ended_by");
  if (c.timing == core::Timing::in_force_at_quarter_end) {
    if (!ended_by)
      node.fail("required member \"ended_by\" is missing (timing in_force_at_quarter_end)");
    c.ended_by = load_filter(*ended_by, agencies);
  } else if (ended_by) {
    ended_by->fail("only for timing in_force_at_quarter_end");
  }

  const auto followed = node.find("followed_by");
  const auto within = node.find("within_days");
  if (followed || within) {
    if (c.timing != core::Timing::in_quarter)
      (followed ? *followed : *within).fail("only for timing in_quarter");
    if (!followed)
      node.fail("required member \"followed_by\" is missing (within_days is given)");
    if (!within)
      node.fail("required member \"within_days\" is missing (followed_by is given)");
    for (const JsonNode& f : followed->elements())
      c.followed_by.push_back(load_filter(f, agencies));
    if (c.followed_by.empty())
      followed->fail("expected at least one event filter");
    const std::int64_t days = within->as_int();
    if (days < 0 || days > kMaxWithinDays)
      within->fail("expected a number of days from 0 to " + std::to_string(kMaxWithinDays));
    c.within_days = static_cast<int>(days);
  }
  return c;
}

}  // namespace

std::string metrics_definitions_file(const Settings& settings) {
  if (auto file = settings.get("metrics_definitions"); file && !file->empty())
    return *file;
  return settings.templates_dir() + "/metrics/default.json";
}

core::MetricsDefinitions load_metrics_definitions(const std::string& file,
                                                  const core::AgencyDirectory* agencies) {
  const JsonNode root = JsonNode::parse_file(file);
  root.allow_only({"id", "version", "name", "description", "quarters", "measures"});
  core::MetricsDefinitions defs;
  defs.id = root.at("id").as_nonempty_string();
  defs.version = root.at("version").as_int();
  if (auto name = root.find("name"))
    defs.name = name->as_nonempty_string();
  if (auto description = root.find("description"))
    description->as_string();
  const JsonNode quarters = root.at("quarters");
  const auto scheme = core::parse_quarter_scheme(quarters.as_string());
  if (!scheme)
    quarters.fail("expected one of financial, calendar");
  defs.quarters = *scheme;

  const JsonNode measures = root.at("measures");
  std::set<std::string> ids;
  for (const JsonNode& m : measures.elements()) {
    m.allow_only({"id", "title", "source", "count", "numerator", "denominator"});
    core::MeasureDefinition def;
    const JsonNode id = m.at("id");
    def.id = id.as_string();
    if (!core::is_code_token(def.id))
      id.fail("expected a lower-case code of letters, digits and '_'");
    if (!ids.insert(def.id).second)
      id.fail("measure id " + def.id + " appears twice");
    def.title = m.at("title").as_nonempty_string();
    if (auto source = m.find("source"))
      def.source = source->as_string();
    const auto count = m.find("count");
    const auto numerator = m.find("numerator");
    const auto denominator = m.find("denominator");
    if (count && (numerator || denominator))
      m.fail("give either \"count\" or \"numerator\" and \"denominator\", not both");
    if (count) {
      def.count = load_count(*count, agencies);
    } else {
      if (!numerator && !denominator)
        m.fail("required member \"count\" (or \"numerator\" and \"denominator\") is missing");
      def.count = load_count(m.at("numerator"), agencies);
      def.denominator = load_count(m.at("denominator"), agencies);
    }
    defs.measures.push_back(std::move(def));
  }
  if (defs.measures.empty())
    measures.fail("expected at least one measure");
  return defs;
}

MetricsPass::MetricsPass(Context& ctx, const Principal& who, const MetricsOptions& options,
                         const core::AgencyDirectory& agencies) {
  require_qa(who, "computing the baseline measures");
  from_ = option_date("from", options.from);
  to_ = option_date("to", options.to);
  if (from_ && to_ && *to_ < *from_)
    throw InputError("to", "is before the start of the period (from): the period is empty");
  report_.definitions_file = metrics_definitions_file(ctx.settings());
  core::MetricsDefinitions defs = load_metrics_definitions(report_.definitions_file, &agencies);
  if (options.quarters)
    defs.quarters = *options.quarters;
  report_.definitions_id = defs.id;
  report_.definitions_version = defs.version;
  report_.quarters = defs.quarters;
  for (const core::MeasureDefinition& m : defs.measures)
    report_.measures.push_back({m.id, m.title, m.source, m.describe(), m.is_proportion()});
  engine_ = std::make_unique<core::MetricsEngine>(std::move(defs), agencies);
}

MetricsReport MetricsPass::finish() {
  report_.first_event = engine_->first_event_date();
  report_.last_event = engine_->last_event_date();
  const auto from = from_ ? from_ : report_.first_event;
  const auto to = to_ ? to_ : report_.last_event;
  if (!from || !to)
    return std::move(report_);  // nothing imported and no period given
  if (*to < *from) {
    if (from_)
      throw InputError("from", "is after the latest imported event; give the end (to) too");
    throw InputError("to", "is before the earliest imported event");
  }
  report_.rows = engine_->rows(*from, *to);
  return std::move(report_);
}

MetricsReport compute_metrics(Context& ctx, const Principal& who, const MetricsOptions& options) {
  return ctx.db().read([&](store::Session& s) {
    const core::AgencyDirectory agencies = store::load_agencies(s);
    MetricsPass pass(ctx, who, options, agencies);
    store::for_each_child(s, agencies, [&](std::int64_t, std::vector<core::Event>& events) {
      pass.add_child(events);
    });
    return pass.finish();
  });
}

}  // namespace pathaudit::service
