// `pathaudit metrics`: the baseline measures of DOMAIN.md section 6 by quarter, from the imported
// events, under the partnership's local definitions (audit-templates/metrics/default.json unless
// the setting `metrics_definitions` names another file). docs/metrics.md describes each measure.
//
// The numbers are raw: no small-number suppression here. Exports that show them to a board apply
// disclosure control to this same structure. Only aggregate counts are computed, from the plain
// event columns (no sealed field, identifier or note is read), so no audit-log entry is written.
//
// Stateless; thread-safe as far as the Context is.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/event.h"
#include "core/metrics.h"
#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

// The definitions file in force: the setting `metrics_definitions` (command line, environment
// PATHAUDIT_METRICS_DEFINITIONS, pathaudit.properties), else <templates_dir>/metrics/default.json.
std::string metrics_definitions_file(const Settings& settings);

// Reads and validates a definitions file; errors are core::ValidationError naming the file and the
// JSON path. With `agencies`, agency codes must be codes of the partnership.
core::MetricsDefinitions load_metrics_definitions(const std::string& file,
                                                  const core::AgencyDirectory* agencies = nullptr);

struct MetricsOptions {
  // Whole quarters from the one containing `from` to the one containing `to`, each YYYY-MM-DD as
  // typed (core::ValidationError naming --from or --to otherwise). Defaults: the earliest and
  // latest imported event.
  std::optional<std::string> from;
  std::optional<std::string> to;
  // Overrides the definitions file's "quarters".
  std::optional<core::QuarterScheme> quarters;
};

struct MeasureSummary {
  std::string id;
  std::string title;
  std::string source;
  std::string definition;  // core::MeasureDefinition::describe()
  bool proportion = false;
};

struct MetricsReport {
  std::string definitions_file;
  std::string definitions_id;
  std::int64_t definitions_version = 0;
  core::QuarterScheme quarters = core::QuarterScheme::financial;
  // The extract: earliest and latest imported event (nullopt when nothing is imported). Quarters
  // ending after `last_event` are incomplete.
  std::optional<core::Date> first_event;
  std::optional<core::Date> last_event;
  std::vector<MeasureSummary> measures;  // in definition order
  std::vector<core::MetricRow> rows;     // by measure (definition order), then quarter
};

// ForbiddenError unless `who` is a QA lead (or the operator).
MetricsReport compute_metrics(Context& ctx, const Principal& who, const MetricsOptions& options);

// compute_metrics in steps, for a caller that visits every child's events anyway (the board
// workbook) and would otherwise read them all once more: the constructor checks the role and the
// options and reads the definitions file (throwing as compute_metrics does), add_child takes each
// child once, finish gives the report. Borrows `agencies`, which must outlive it. Not thread-safe.
class MetricsPass {
 public:
  MetricsPass(Context& ctx, const Principal& who, const MetricsOptions& options,
              const core::AgencyDirectory& agencies);
  // A child's events, sorted by core::sort_events (as store::for_each_child gives them).
  void add_child(const std::vector<core::Event>& events) { engine_->add_child(events); }
  // Call once, after the last child.
  MetricsReport finish();

 private:
  std::optional<core::Date> from_;
  std::optional<core::Date> to_;
  MetricsReport report_;
  std::unique_ptr<core::MetricsEngine> engine_;
};

}  // namespace pathaudit::service
