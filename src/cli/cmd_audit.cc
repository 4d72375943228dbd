// pathaudit audit create | list | show
#include <Poco/Util/Option.h>

#include <cstdio>
#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/audits.h"
#include "service/collation.h"
#include "service/context.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

// "a,b,c" -> {a, b, c}, from every use of a repeatable option; empty items are refused.
std::vector<std::string> list_option(const Invocation& in, const std::string& name) {
  std::vector<std::string> out;
  const auto it = in.options.find(name);
  if (it == in.options.end())
    return out;
  for (const std::string& value : it->second) {
    std::size_t begin = 0;
    while (true) {
      const auto comma = value.find(',', begin);
      const std::string item = value.substr(begin, comma - begin);
      if (item.empty())
        throw UsageError("--" + name + " expects a comma-separated list with no empty items");
      out.push_back(item);
      if (comma == std::string::npos)
        break;
      begin = comma + 1;
    }
  }
  return out;
}

std::string scope_text(const service::AuditScope& scope) {
  return scope.empty() ? "{}" : scope.to_json();
}

int run_create(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("audit create takes no arguments");
  service::NewAudit audit;
  audit.title = in.required("title");
  audit.template_ref = in.required("template");
  audit.period_start = in.required("period-start");
  audit.period_end = in.required("period-end");
  audit.scope.categories = list_option(in, "scope-category");
  audit.scope.flag_rules = list_option(in, "scope-flag");
  audit.scope.entry_points = list_option(in, "scope-entry-point");
  audit.dual_review = in.has("dual-review");
  auto ctx = open_context(in);
  const auto a = service::create_audit(*ctx, acting_principal(in, *ctx), audit);
  std::cout << "audit " << a.id << " created: template " << a.template_key << "@"
            << a.template_version << ", period " << a.period_start.iso() << " to "
            << a.period_end.iso() << ", scope " << scope_text(a.scope)
            << (a.dual_review ? ", blind dual review" : "") << "\n"
            << "next: pathaudit sample --audit " << a.id << " --size N --seed S\n";
  return kExitOk;
}

int run_list(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("audit list takes no arguments");
  auto ctx = open_context(in);
  Table table({"id", "title", "template", "period_start", "period_end", "scope", "dual_review",
               "status", "created_by", "created_at"});
  for (const auto& a : service::list_audits(*ctx, acting_principal(in, *ctx))) {
    table.add({std::to_string(a.id), a.title,
               a.template_key + "@" + std::to_string(a.template_version), a.period_start.iso(),
               a.period_end.iso(), scope_text(a.scope), a.dual_review ? "yes" : "no", a.status,
               a.created_by, a.created_at});
  }
  table.print(std::cout, in.format);
  return kExitOk;
}

int run_show(const Invocation& in) {
  if (in.args.size() != 1)
    throw UsageError("audit show takes one audit id");
  const std::int64_t id = parse_id(in.args[0], "an audit id");
  auto ctx = open_context(in);
  const auto o = service::audit_overview(*ctx, acting_principal(in, *ctx), id);
  const auto& a = o.audit;
  Table table({"field", "value"});
  table.add({"id", std::to_string(a.id)});
  table.add({"title", a.title});
  table.add({"template", a.template_key + "@" + std::to_string(a.template_version)});
  table.add({"period_start", a.period_start.iso()});
  table.add({"period_end", a.period_end.iso()});
  table.add({"scope", scope_text(a.scope)});
  table.add({"dual_review", a.dual_review ? "yes" : "no"});
  table.add({"status", a.status});
  table.add({"created_by", a.created_by});
  table.add({"created_at", a.created_at});
  table.add({"population", std::to_string(o.population)});
  table.add({"sample_id", o.sample_id ? std::to_string(*o.sample_id) : ""});
  table.add({"sample_size", o.sample_id ? std::to_string(o.sample_size) : ""});
  table.add({"sample_seed", o.sample_seed});
  table.add({"sample_method", o.sample_method});
  table.add({"population_hash", o.population_hash});
  table.add({"sampled_at", o.sampled_at});
  table.add({"returns", std::to_string(o.returns)});
  table.add({"unassigned_returns", std::to_string(o.unassigned_returns)});
  table.add({"discussions", std::to_string(o.discussions)});
  table.print(std::cout, in.format);
  return kExitOk;
}

std::string percent(std::int64_t n, std::int64_t total) {
  if (total == 0)
    return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f",
                100.0 * static_cast<double>(n) / static_cast<double>(total));
  return buf;
}

std::string decimal(const std::optional<double>& v, int places) {
  if (!v)
    return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", places, *v);
  return buf;
}

int run_collate(const Invocation& in) {
  if (in.args.size() != 1)
    throw UsageError("audit collate takes one audit id");
  const std::int64_t id = parse_id(in.args[0], "an audit id");
  auto ctx = open_context(in);
  const auto c = service::collate(*ctx, acting_principal(in, *ctx), id);
  // One long table (docs/qa-lead-guide.md, "Collation"): a measure, where it applies, a category
  // and a value, so every figure is one row a spreadsheet can pivot.
  Table t({"measure", "stage", "agency", "category", "value"});
  auto n = [](std::int64_t v) { return std::to_string(v); };
  t.add({"cases", "", "", "sampled", n(c.cases)});
  for (const auto& [state, count] : c.cases_by_state)
    t.add({"cases", "", "", state, n(count)});
  for (const auto& [state, count] : c.returns_by_state)
    t.add({"returns", "", "", state, n(count)});
  t.add({"returns", "", "", "counted", n(c.returns_counted)});
  for (const auto& g : c.grades)
    t.add({"grade", g.stage, g.agency, g.grade, n(g.count)});
  for (const auto& g : c.agreed)
    t.add({"agreed_grade", g.stage, "", g.grade, n(g.count)});
  t.add({"moderation", "", "", "grades_moderated", n(c.grades_moderated)});
  t.add({"moderation", "", "", "grades_changed", n(c.grades_changed_by_moderation)});
  for (const auto& f : c.flags) {
    t.add({"flag", "", "", f.rule + ":open", n(f.open)});
    t.add({"flag", "", "", f.rule + ":confirmed", n(f.confirmed)});
    t.add({"flag", "", "", f.rule + ":dismissed", n(f.dismissed)});
  }
  for (const auto& [tag, count] : c.themes)
    t.add({"theme", "", "", tag, n(count)});
  for (const auto& a : c.actions) {
    for (const auto& [status, count] : a.by_status)
      t.add({"action", "", a.owner, status, n(count)});
    t.add({"action", "", a.owner, "overdue", n(a.overdue)});
  }
  if (c.dual_review) {
    for (const auto& q : c.agreement) {
      t.add({"agreement_pairs", q.stage, "", q.question_id,
             n(static_cast<std::int64_t>(q.agreement.pairs))});
      t.add({"agreement_percent", q.stage, "", q.question_id, decimal(q.agreement.percent, 1)});
      t.add({"kappa", q.stage, "", q.question_id, decimal(q.agreement.kappa, 3)});
    }
    t.add({"agreement_pairs", "", "", "overall",
           n(static_cast<std::int64_t>(c.overall_agreement.pairs))});
    t.add({"agreement_percent", "", "", "overall", decimal(c.overall_agreement.percent, 1)});
    t.add({"kappa", "", "", "overall", decimal(c.overall_agreement.kappa, 3)});
  }
  t.print(std::cout, in.format);
  return kExitOk;
}

int run_compare(const Invocation& in) {
  if (in.args.size() != 2)
    throw UsageError("audit compare takes two audit ids: the earlier audit, then the re-audit");
  const std::int64_t first = parse_id(in.args[0], "an audit id");
  const std::int64_t second = parse_id(in.args[1], "an audit id");
  auto ctx = open_context(in);
  const auto c = service::compare_audits(*ctx, acting_principal(in, *ctx), first, second);
  Table t({"stage", "grade", "first_count", "first_percent", "second_count", "second_percent",
           "change_points"});
  for (const auto& r : c.rows) {
    std::string change;
    if (r.first_total > 0 && r.second_total > 0) {
      change = decimal(
          100.0 * static_cast<double>(r.second_count) / static_cast<double>(r.second_total) -
              100.0 * static_cast<double>(r.first_count) / static_cast<double>(r.first_total),
          1);
    }
    t.add({r.stage, r.grade, std::to_string(r.first_count), percent(r.first_count, r.first_total),
           std::to_string(r.second_count), percent(r.second_count, r.second_total), change});
  }
  t.print(std::cout, in.format);
  return kExitOk;
}

const Registrar collate{Command{
    .name = "audit collate",
    .summary = "an audit's findings counted: grades by stage and agency, flags, themes, actions",
    .usage = "ID [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_collate,
}};

const Registrar compare{Command{
    .name = "audit compare",
    .summary = "grade distributions by stage of two audits on the same template (re-audit)",
    .usage = "FIRST_ID SECOND_ID [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_compare,
}};

const Registrar create{Command{
    .name = "audit create",
    .summary = "create an audit: template, period and scope of the population",
    .usage = "--title T --template KEY[@VERSION] --period-start YYYY-MM-DD --period-end "
             "YYYY-MM-DD [--scope-category CODES] [--scope-flag RULES] [--scope-entry-point EPS] "
             "[--dual-review] [--as USER] [--data-dir DIR]",
    .define_options =
        [](OptionSet& o) {
          o.addOption(Option("title", "", "the audit's title").argument("T").repeatable(false));
          o.addOption(Option("template", "",
                             "imported review template, KEY or KEY@VERSION (default: the highest "
                             "imported version)")
                          .argument("KEY[@VERSION]")
                          .repeatable(false));
          o.addOption(Option("period-start", "", "first day of the audit period")
                          .argument("YYYY-MM-DD")
                          .repeatable(false));
          o.addOption(Option("period-end", "", "last day of the audit period")
                          .argument("YYYY-MM-DD")
                          .repeatable(false));
          o.addOption(Option("scope-category", "",
                             "only children with an event carrying one of these category codes "
                             "(comma-separated, e.g. SAB,19B,19C)")
                          .argument("CODES")
                          .repeatable(true));
          o.addOption(Option("scope-flag", "",
                             "only children with an open or confirmed flag of one of these rules "
                             "(comma-separated rule ids)")
                          .argument("RULES")
                          .repeatable(true));
          o.addOption(Option("dual-review", "",
                             "blind dual review: a second auditor of each agency grades every "
                             "return without seeing the first's answers"));
          o.addOption(Option("scope-entry-point", "",
                             "only children with an event in the period from one of these entry "
                             "points (comma-separated)")
                          .argument("EPS")
                          .repeatable(true));
          as_option(o);
        },
    .run = run_create,
}};

const Registrar list{Command{
    .name = "audit list",
    .summary = "list audits",
    .usage = "[--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_list,
}};

const Registrar show{Command{
    .name = "audit show",
    .summary = "one audit: period, scope, population, sample and assignments",
    .usage = "ID [--as USER] [--data-dir DIR] [--format table|csv|json]",
    .formats = {"table", "csv", "json"},
    .define_options = as_option,
    .run = run_show,
}};

}  // namespace
}  // namespace pathaudit::cli
