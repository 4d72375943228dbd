#include "export/disclosure.h"

#include <algorithm>
#include <limits>

#include "core/errors.h"

namespace pathaudit::exports {

namespace {

constexpr std::int64_t kDfeMax = 5;  // dfe suppresses 1..5
constexpr std::int64_t kNhsMax = 7;  // nhs suppresses 1..7

Cell suppressed_cell() {
  Cell c;
  c.shown.reset();
  c.exact = false;  // nothing is shown, so nothing is shown exactly
  return c;
}

Cell exact_cell(std::int64_t v) {
  Cell c;
  c.shown = v;
  c.exact = true;
  return c;
}

// Nearest multiple of 5, halves up (counts are whole, so no count is ever exactly half-way).
std::int64_t round_to_5(std::int64_t v) {
  return (v + 2) / 5 * 5;
}

Cell nhs_cell(std::int64_t v) {
  if (v == 0)
    return exact_cell(0);
  if (v <= kNhsMax)
    return suppressed_cell();
  Cell c;
  c.shown = round_to_5(v);
  // Even a shown 10 is "about 10": a reader cannot tell which counts were multiples of 5.
  c.exact = false;
  return c;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    throw core::ValidationError("disclosure control: the counts' total is too large");
  return r;
}

// The (rows+1) x (columns+1) grid of true counts: cells, then the row totals as the last column,
// the column totals as the last row and the grand total in the corner.
struct Grid {
  std::size_t rows = 0, cols = 0;  // of the extended grid
  std::vector<std::int64_t> value;
  std::vector<bool> hidden;

  std::size_t at(std::size_t r, std::size_t c) const { return r * cols + c; }
};

Grid extended_grid(const CountTable& t) {
  const std::size_t nr = t.rows.size(), nc = t.columns.size();
  Grid g;
  g.rows = nr + 1;
  g.cols = nc + 1;
  g.value.assign(g.rows * g.cols, 0);
  g.hidden.assign(g.rows * g.cols, false);
  for (std::size_t r = 0; r < nr; ++r) {
    for (std::size_t c = 0; c < nc; ++c) {
      const std::int64_t v = t.counts[r][c];
      g.value[g.at(r, c)] = v;
      g.value[g.at(r, nc)] = checked_add(g.value[g.at(r, nc)], v);
      g.value[g.at(nr, c)] = checked_add(g.value[g.at(nr, c)], v);
      g.value[g.at(nr, nc)] = checked_add(g.value[g.at(nr, nc)], v);
    }
  }
  return g;
}

// One line of the extended grid: its entries in order, the last of which is the line's total.
using Line = std::vector<std::size_t>;

std::vector<Line> lines_of(const Grid& g) {
  std::vector<Line> lines;
  for (std::size_t r = 0; r < g.rows; ++r) {  // every row, the totals row included
    Line l;
    for (std::size_t c = 0; c < g.cols; ++c)
      l.push_back(g.at(r, c));
    lines.push_back(std::move(l));
  }
  for (std::size_t c = 0; c < g.cols; ++c) {  // every column, the totals column included
    Line l;
    for (std::size_t r = 0; r < g.rows; ++r)
      l.push_back(g.at(r, c));
    lines.push_back(std::move(l));
  }
  return lines;
}

// Secondary suppression: until no line has exactly one suppressed entry, protect the lone one by
// suppressing the smallest shown non-zero entry of the line other than its total (the first on a
// tie), or the total when there is none. Returns how many entries it suppressed.
std::size_t suppress_secondary(Grid& g) {
  const std::vector<Line> lines = lines_of(g);
  std::size_t added = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (const Line& line : lines) {
      const auto hidden =
          std::count_if(line.begin(), line.end(), [&](std::size_t i) { return g.hidden[i]; });
      if (hidden != 1)
        continue;
      std::optional<std::size_t> pick;
      for (std::size_t k = 0; k + 1 < line.size(); ++k) {
        const std::size_t i = line[k];
        if (g.hidden[i] || g.value[i] == 0)
          continue;
        if (!pick || g.value[i] < g.value[*pick])
          pick = i;
      }
      // With no shown non-zero cell left, the lone suppressed entry is a cell (a suppressed
      // total would leave a non-zero cell shown), so the total, their sum, is shown and not 0.
      const std::size_t victim = pick ? *pick : line.back();
      g.hidden[victim] = true;
      ++added;
      changed = true;
    }
  }
  return added;
}

void validate(const CountTable& t) {
  if (t.counts.size() != t.rows.size())
    throw core::ValidationError("disclosure control: the table has " +
                                std::to_string(t.rows.size()) + " row names but " +
                                std::to_string(t.counts.size()) + " rows of counts");
  for (std::size_t r = 0; r < t.counts.size(); ++r) {
    if (t.counts[r].size() != t.columns.size())
      throw core::ValidationError("disclosure control: row " + std::to_string(r + 1) + " has " +
                                  std::to_string(t.counts[r].size()) + " counts for " +
                                  std::to_string(t.columns.size()) + " columns");
    for (std::size_t c = 0; c < t.counts[r].size(); ++c) {
      if (t.counts[r][c] < 0)
        throw core::ValidationError("disclosure control: the count at row " +
                                    std::to_string(r + 1) + ", column " + std::to_string(c + 1) +
                                    " is negative");
    }
  }
}

}  // namespace

std::optional<Profile> parse_profile(std::string_view name) {
  if (name == "dfe")
    return Profile::dfe;
  if (name == "nhs")
    return Profile::nhs;
  return std::nullopt;
}

std::string_view profile_name(Profile p) {
  return p == Profile::dfe ? "dfe" : "nhs";
}

std::string_view suppression_symbol(Profile p) {
  return p == Profile::dfe ? "c" : "*";
}

std::string profile_rule(Profile p) {
  if (p == Profile::dfe)
    return "Counts from 1 to 5 are shown as c; true zeros are shown as 0; where a suppressed count "
           "could be worked out from a total and the counts beside it, further counts or totals "
           "are also shown as c.";
  return "Counts from 1 to 7 are shown as *; every other count, totals included, is rounded to "
         "the nearest 5; true zeros are shown as 0.";
}

Cell protect_count(std::int64_t count, Profile profile) {
  if (count < 0)
    throw core::ValidationError("disclosure control: a count is negative");
  if (profile == Profile::nhs)
    return nhs_cell(count);
  if (count >= 1 && count <= kDfeMax)
    return suppressed_cell();
  return exact_cell(count);
}

ProtectedTable protect(const CountTable& table, Profile profile) {
  validate(table);
  Grid g = extended_grid(table);
  const std::size_t nr = table.rows.size(), nc = table.columns.size();

  ProtectedTable out;
  out.rows = table.rows;
  out.columns = table.columns;
  out.cells.assign(nr, std::vector<Cell>(nc));
  out.row_totals.resize(nr);
  out.column_totals.resize(nc);

  std::vector<Cell> shown(g.value.size());
  if (profile == Profile::nhs) {
    for (std::size_t i = 0; i < g.value.size(); ++i) {
      shown[i] = nhs_cell(g.value[i]);
      if (shown[i].suppressed())
        ++out.primary;
    }
  } else {
    for (std::size_t i = 0; i < g.value.size(); ++i) {
      if (g.value[i] >= 1 && g.value[i] <= kDfeMax) {
        g.hidden[i] = true;
        ++out.primary;
      }
    }
    out.secondary = suppress_secondary(g);
    for (std::size_t i = 0; i < g.value.size(); ++i)
      shown[i] = g.hidden[i] ? suppressed_cell() : exact_cell(g.value[i]);
  }

  for (std::size_t r = 0; r < nr; ++r) {
    for (std::size_t c = 0; c < nc; ++c)
      out.cells[r][c] = shown[g.at(r, c)];
    out.row_totals[r] = shown[g.at(r, nc)];
  }
  for (std::size_t c = 0; c < nc; ++c)
    out.column_totals[c] = shown[g.at(nr, c)];
  out.grand_total = shown[g.at(nr, nc)];
  return out;
}

std::optional<double> protected_percent(const Cell& numerator, const Cell& denominator) {
  // A Cell does not carry its profile, and needs not: dfe only ever shows exact counts, and nhs
  // shows rounded ones that are to be used as shown, so for the cells protect() and
  // protect_count() make both rules come down to "both shown, the denominator not zero".
  if (numerator.suppressed() || denominator.suppressed() || *denominator.shown == 0)
    return std::nullopt;
  return 100.0 * static_cast<double>(*numerator.shown) / static_cast<double>(*denominator.shown);
}

}  // namespace pathaudit::exports
