#include "ingest/event_row.h"

#include <algorithm>

#include "core/agency.h"
#include "core/errors.h"
#include "core/vocabulary.h"
#include "ingest/normalise.h"

namespace pathaudit::ingest {
namespace {

constexpr std::array<std::string_view, kColumnCount> kNames{
    "agency",     "event_id",     "event_type", "event_date", "nhs_number",  "local_child_id",
    "forename",   "surname",      "dob",        "sex",        "entry_point", "to_agency",
    "to_service", "participants", "outcome",    "category",   "relates_to",  "notes"};

constexpr Column kRequired[] = {Column::agency, Column::event_id, Column::event_type,
                                Column::event_date};

constexpr std::size_t kMaxIdLength = 128;
constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kMaxNotesLength = 20000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    const auto semi = s.find(';');
    out.push_back(trim(s.substr(0, semi)));
    if (semi == std::string_view::npos)
      break;
    s.remove_prefix(semi + 1);
  }
  return out;
}

bool has_control_characters(std::string_view v) {
  return std::any_of(v.begin(), v.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t';
  });
}

// Edit distance, to suggest the column or code a misspelling meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view column_name(Column c) {
  return kNames[static_cast<int>(c)];
}

Header parse_header(const CsvRecord& record, bool ignore_unknown_columns,
                    std::vector<RowError>& errors) {
  Header h;
  h.position.fill(-1);
  h.width = record.fields.size();
  const bool any_known = std::any_of(record.fields.begin(), record.fields.end(), [](const auto& f) {
    return std::find(kNames.begin(), kNames.end(), trim(f)) != kNames.end();
  });
  if (!any_known) {
    // Most likely the extract has no header and this is a child's row: say so once, and never
    // repeat its content.
    errors.push_back({record.line, 0,
                      "the first line is not a header: it names none of the import format's "
                      "columns; the first line must name the columns (see docs/import-format.md)"});
    return h;
  }
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const std::string_view name = trim(record.fields[i]);
    const int col = static_cast<int>(i) + 1;
    auto it = std::find(kNames.begin(), kNames.end(), name);
    if (it == kNames.end()) {
      if (!ignore_unknown_columns) {
        // The name is not repeated: a header line can hold anything an extract puts there.
        std::string message = "unknown column";
        for (std::string_view known : kNames) {
          if (edit_distance(name, known) <= 2) {
            message += " (did you mean \"" + std::string(known) + "\"?)";
            break;
          }
        }
        errors.push_back({record.line, col,
                          message + "; expected one of the import format's columns (see "
                                    "docs/import-format.md), or use --ignore-unknown-columns"});
      }
      continue;
    }
    int& pos = h.position[static_cast<std::size_t>(it - kNames.begin())];
    if (pos != -1) {
      errors.push_back({record.line, col, "column \"" + std::string(name) + "\" appears twice"});
      continue;
    }
    pos = static_cast<int>(i);
  }
  for (Column c : kRequired) {
    if (h.at(c) == -1) {
      errors.push_back(
          {record.line, 0,
           "the header has no \"" + std::string(column_name(c)) + "\" column, which is required"});
    }
  }
  return h;
}

bool parse_row(const Header& header, const CsvRecord& record, const AgencyDirectory& agencies,
               core::Date today, EventRow& row, std::vector<RowError>& errors) {
  const std::size_t errors_before = errors.size();
  row = EventRow{};
  row.line = record.line;
  if (record.fields.size() != header.width) {
    errors.push_back({record.line, 0,
                      "the row has " + std::to_string(record.fields.size()) + " fields; expected " +
                          std::to_string(header.width) +
                          " as in the header (is a comma or quote missing?)"});
    return false;
  }
  auto field = [&](Column c) -> std::string_view {
    const int pos = header.at(c);
    return pos < 0 ? std::string_view() : trim(record.fields[static_cast<std::size_t>(pos)]);
  };
  auto fail = [&](Column c, std::string message) {
    errors.push_back(
        {record.line, header.at(c) + 1, std::string(column_name(c)) + ": " + std::move(message)});
  };
  auto date = [&](Column c, bool required) -> std::optional<core::Date> {
    const std::string_view v = field(c);
    if (v.empty()) {
      if (required)
        fail(c, "is empty; expected a date as YYYY-MM-DD");
      return std::nullopt;
    }
    auto d = core::Date::parse_iso(v);
    if (!d) {
      fail(c, "is not a calendar date; expected YYYY-MM-DD (for example 2025-03-31)");
      return std::nullopt;
    }
    if (*d > today) {
      fail(c, "is in the future; expected a date on or before " + today.iso());
      return std::nullopt;
    }
    return d;
  };
  auto agency_code = [&](Column c, std::string_view v) {
    if (agencies.find(v) == agencies.end()) {
      // The value is not repeated (a shifted column could put a name here); the codes are.
      std::string codes;
      for (const auto& [code, _] : agencies)
        codes += (codes.empty() ? "" : ", ") + code;
      fail(c, "is not an agency of this partnership; expected one of " + codes);
      return false;
    }
    return true;
  };
  auto name = [&](Column c) -> std::string {
    const std::string_view v = field(c);
    if (v.empty())
      return {};
    if (v.size() > kMaxNameLength) {
      fail(c, "is longer than " + std::to_string(kMaxNameLength) + " bytes");
      return {};
    }
    try {
      return normalise_name(v);
    } catch (const core::ValidationError&) {
      fail(c, "is not valid UTF-8 text; save the extract as UTF-8");
      return {};
    }
  };

  row.agency = std::string(field(Column::agency));
  if (row.agency.empty()) {
    fail(Column::agency, "is empty; expected the agency code");
  } else {
    agency_code(Column::agency, row.agency);
  }

  row.event_id = std::string(field(Column::event_id));
  if (row.event_id.empty())
    fail(Column::event_id, "is empty; expected the agency's own reference");
  else if (row.event_id.size() > kMaxIdLength) {
    fail(Column::event_id, "is longer than " + std::to_string(kMaxIdLength) + " characters");
  } else if (row.event_id.find('\x1f') != std::string::npos ||
             has_control_characters(row.event_id)) {
    fail(Column::event_id, "contains control characters");
  }

  row.event_type = std::string(field(Column::event_type));
  if (!core::in_vocabulary(core::event_types(), row.event_type)) {
    std::string hint;
    for (const std::string& known : core::event_types()) {
      if (edit_distance(row.event_type, known) <= 2) {
        hint = " (did you mean " + known + "?)";
        break;
      }
    }
    // The value is not repeated: in a shifted or mislabelled column it could be anything.
    fail(Column::event_type, "is not an event type" + hint + "; expected one of " +
                                 core::vocabulary_list(core::event_types()));
  }

  bool event_date_ok = false;
  if (auto d = date(Column::event_date, true)) {
    row.event_date = *d;
    event_date_ok = true;
  }

  if (const std::string_view v = field(Column::nhs_number); !v.empty()) {
    row.nhs_number = normalise_nhs_number(v);
    if (!row.nhs_number) {
      fail(Column::nhs_number,
           "is not a valid NHS number; expected 10 digits (spaces allowed) with a correct check "
           "digit");
    }
  }

  row.local_child_id = std::string(field(Column::local_child_id));
  if (row.local_child_id.size() > kMaxIdLength) {
    fail(Column::local_child_id, "is longer than " + std::to_string(kMaxIdLength) + " characters");
  } else if (row.local_child_id.find('\x1f') != std::string::npos ||
             has_control_characters(row.local_child_id)) {
    fail(Column::local_child_id, "contains control characters");
  }

  row.forename = name(Column::forename);
  row.surname = name(Column::surname);
  row.dob = date(Column::dob, false);
  if (row.dob && event_date_ok && *row.dob > row.event_date) {
    fail(Column::dob, "is after the event date; expected the child's date of birth");
  }

  row.sex = std::string(field(Column::sex));
  if (!row.sex.empty() && !core::in_vocabulary(core::sex_codes(), row.sex)) {
    fail(Column::sex, "expected one of F, M, X, U");
  }

  row.entry_point = std::string(field(Column::entry_point));
  if (!row.entry_point.empty() && !core::in_vocabulary(core::entry_points(), row.entry_point)) {
    fail(Column::entry_point,
         "is not an entry point; expected one of " + core::vocabulary_list(core::entry_points()));
  }

  row.to_agency = std::string(field(Column::to_agency));
  if (!row.to_agency.empty())
    agency_code(Column::to_agency, row.to_agency);

  row.to_service = std::string(field(Column::to_service));
  if (!row.to_service.empty() && !core::is_code_token(row.to_service)) {
    fail(Column::to_service,
         "expected a service code of lower-case letters, digits and _ (for "
         "example camhs, sarc, isva, csa_counselling, paediatrics)");
  }

  if (const std::string_view v = field(Column::participants); !v.empty()) {
    std::string joined;
    for (std::string_view code : split_list(v)) {
      if (code.empty()) {
        fail(Column::participants, "has an empty entry; expected agency codes separated by ;");
        break;
      }
      if (!agency_code(Column::participants, code))
        break;
      joined += (joined.empty() ? "" : ";") + std::string(code);
    }
    row.participants = joined;
  }

  row.outcome = std::string(field(Column::outcome));
  if (!row.outcome.empty() && !core::is_code_token(row.outcome)) {
    fail(Column::outcome,
         "expected an outcome code of lower-case letters, digits and _ (for "
         "example nfpa_at_this_time, charged, cp_plan)");
  }

  if (const std::string_view v = field(Column::category); !v.empty()) {
    std::string joined;
    for (std::string_view code : split_list(v)) {
      if (!core::is_category_code(code)) {
        fail(Column::category,
             "expected codes of upper-case letters, digits and _ separated by ; "
             "(for example SAB or 19B;11A)");
        break;
      }
      joined += (joined.empty() ? "" : ";") + std::string(code);
    }
    row.category = joined;
  }

  row.relates_to = std::string(field(Column::relates_to));
  if (row.relates_to.size() > kMaxIdLength || row.relates_to.find('\x1f') != std::string::npos) {
    fail(Column::relates_to, "expected the event_id of an earlier event of the same agency");
  }

  const std::string_view notes = field(Column::notes);
  if (notes.size() > kMaxNotesLength) {
    fail(Column::notes, "is longer than " + std::to_string(kMaxNotesLength) + " bytes");
  }
  row.notes = std::string(notes);

  if (errors.size() == errors_before && !row.nhs_number && row.local_child_id.empty() &&
      (row.surname.empty() || !row.dob)) {
    errors.push_back({record.line, 0,
                      "the row does not identify the child; expected nhs_number, or surname and "
                      "dob, or local_child_id"});
  }
  return errors.size() == errors_before;
}

}  // namespace pathaudit::ingest
