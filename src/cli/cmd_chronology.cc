// pathaudit review chronology: a case's events across agencies in date order, with its flags
#include <Poco/JSON/Stringifier.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "cli/output.h"
#include "service/cases.h"
#include "service/chronology_json.h"

namespace pathaudit::cli {
namespace {

std::string joined(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}

int run_chronology(const Invocation& in) {
  if (in.args.size() != 1)
    throw UsageError("give one case id");
  const std::int64_t id = parse_id(in.args[0], "case id");
  auto ctx = open_context(in);
  const auto c = service::case_chronology(*ctx, acting_principal(in, *ctx), id);
  if (in.format == "json") {
    Poco::JSON::Stringifier::stringify(*service::chronology_json(c), std::cout, 2);
    std::cout << "\n";
    return kExitOk;
  }
  std::cout << "case " << c.case_id << ": audit " << c.audit_id << ", child " << c.child_key << ", "
            << c.events.size() << " events\n";
  Table events({"date", "agency", "type", "event_ref", "outcome", "category", "to_agency", "flags",
                "notes"});
  for (const auto& e : c.events) {
    std::vector<std::string> flags;
    for (const auto f : e.flag_ids)
      flags.push_back(std::to_string(f));
    events.add({e.date, e.agency, e.type, e.event_ref, e.outcome, joined(e.category, ";"),
                e.to_agency, joined(flags, ";"), e.notes});
  }
  events.print(std::cout, "table");
  std::cout << "\nflags on this case\n";
  Table flags({"id", "rule", "severity", "status", "agency", "detail"});
  for (const auto& f : c.flags)
    flags.add({std::to_string(f.id), f.rule, f.severity, f.status, f.agency, f.detail});
  flags.print(std::cout, "table");
  return kExitOk;
}

const Registrar chronology{Command{
    .name = "review chronology",
    .summary = "a case's events across agencies in date order, with the flags citing each",
    .usage = "CASE_ID [--as USER] [--data-dir DIR] [--format table|json]",
    .formats = {"table", "json"},
    .define_options = as_option,
    .run = run_chronology,
}};

}  // namespace
}  // namespace pathaudit::cli
