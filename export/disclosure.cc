#include "export/disclosure.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

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
//
// Seen as a graph, every row of the grid (the column-totals row included) is a node, a "row line",
// and so is every column (the row-totals column included), a "column line"; entry (r, c) is an
// edge between row line r and column line c. Nodes are numbered rows first: row line r is r,
// column line c is rows + c.
struct Grid {
  std::size_t rows = 0, cols = 0;  // of the extended grid
  std::vector<std::int64_t> value;
  std::vector<bool> hidden;

  std::size_t at(std::size_t r, std::size_t c) const { return r * cols + c; }
  std::size_t row_node(std::size_t i) const { return i / cols; }
  std::size_t column_node(std::size_t i) const { return rows + i % cols; }
  std::size_t nodes() const { return rows + cols; }
  bool is_row_total(std::size_t i) const { return i % cols + 1 == cols; }
  bool is_column_total(std::size_t i) const { return i / cols + 1 == rows; }
  // The order secondary suppression prefers: data cells (0), then row and column totals (1), the
  // grand total (2) last.
  int rank(std::size_t i) const { return int{is_row_total(i)} + int{is_column_total(i)}; }
  // Whether entry i, as a flow, runs from its row line to its column line. The entries are then a
  // circulation (what flows into a line flows out of it): a data row receives its total from the
  // totals column and passes it on to its cells' columns, a data column passes its cells on to the
  // totals row as its total, and the totals row passes the grand total to the totals column.
  bool flows_row_to_column(std::size_t i) const { return is_row_total(i) == is_column_total(i); }
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

// The entry secondary suppression takes among those `allowed`: shown and not zero (a true zero is
// never suppressed: that every suppressed entry is at least 1 is public), a data cell before a
// total, then the smallest, then the first. nullopt when there is none.
template <typename Allowed>
std::optional<std::size_t> pick(const Grid& g, Allowed allowed) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < g.value.size(); ++i) {
    if (g.hidden[i] || g.value[i] == 0 || !allowed(i))
      continue;
    if (!best || g.rank(i) < g.rank(*best) ||
        (g.rank(i) == g.rank(*best) && g.value[i] < g.value[*best]))
      best = i;
  }
  return best;
}

// Rule 1, the line rule: until no line has exactly one suppressed entry, protect the lone one by
// suppressing the smallest shown non-zero entry of the line other than its total (the first on a
// tie), or the total when there is none. Returns how many entries it suppressed.
std::size_t line_rule(Grid& g, const std::vector<Line>& lines) {
  std::size_t added = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (const Line& line : lines) {
      const auto hidden =
          std::count_if(line.begin(), line.end(), [&](std::size_t i) { return g.hidden[i]; });
      if (hidden != 1)
        continue;
      // With no shown non-zero cell left, the lone suppressed entry is a cell (a suppressed
      // total would leave a non-zero cell shown), so the total, their sum, is shown and not 0.
      const std::size_t victim = pick(g, [&](std::size_t i) {
                                   return i != line.back() && std::ranges::count(line, i);
                                 }).value_or(line.back());
      g.hidden[victim] = true;
      ++added;
      changed = true;
    }
  }
  return added;
}

// The least a suppressed entry can be by what is public: zeros are shown, so a suppressed cell is
// at least 1, and a suppressed total at least its line's shown cells plus 1 for each suppressed
// one. (The grand total is no line's part, so its bound is never needed.)
std::vector<std::int64_t> lower_bounds(const Grid& g, const std::vector<Line>& lines) {
  std::vector<std::int64_t> low(g.value.size(), 1);
  for (const Line& line : lines) {
    const std::size_t total = line.back();
    if (!g.hidden[total] || g.rank(total) != 1)
      continue;
    std::int64_t sum = 0;
    for (std::size_t k = 0; k + 1 < line.size(); ++k)
      sum += g.hidden[line[k]] ? 1 : g.value[line[k]];
    low[total] = std::max<std::int64_t>(sum, 1);
  }
  return low;
}

// Rule 2, the lower-bound rule: a line whose total is shown tells what its suppressed entries sum
// to; when that is the least they can sum to (see lower_bounds), each is at its least and so known
// (c c 10 | 12: both c are 1). Suppresses one more entry of the first such line, the smallest shown
// non-zero one other than the total, or the total when there is none. Returns whether it did.
//
// A line whose total is suppressed tells no sum of its own, but its total then stands in the
// totals row or column as an entry bounded below by its line, which is why a suppressed total's
// bound is its line's least sum and not just 1: the totals line then catches the case.
bool lower_bound_rule(Grid& g, const std::vector<Line>& lines) {
  const std::vector<std::int64_t> low = lower_bounds(g, lines);
  for (const Line& line : lines) {
    const std::size_t total = line.back();
    if (g.hidden[total])
      continue;
    std::int64_t rest = g.value[total], least = 0;
    bool any = false;
    for (std::size_t k = 0; k + 1 < line.size(); ++k) {
      const std::size_t i = line[k];
      if (g.hidden[i]) {
        least += low[i];
        any = true;
      } else {
        rest -= g.value[i];
      }
    }
    if (!any || rest != least)
      continue;
    g.hidden[pick(g, [&](std::size_t i) {
               return i != total && std::ranges::count(line, i);
             }).value_or(total)] = true;
    return true;
  }
  return false;
}

// The suppressed entries as a graph on the line nodes: for each node, (other node, entry).
using Adjacency = std::vector<std::vector<std::pair<std::size_t, std::size_t>>>;

Adjacency suppressed_graph(const Grid& g) {
  Adjacency adj(g.nodes());
  for (std::size_t i = 0; i < g.value.size(); ++i) {
    if (!g.hidden[i])
      continue;
    adj[g.row_node(i)].push_back({g.column_node(i), i});
    adj[g.column_node(i)].push_back({g.row_node(i), i});
  }
  return adj;
}

// The nodes reachable from `from` over suppressed entries other than `without`.
std::vector<bool> reachable(const Adjacency& adj, std::size_t from, std::size_t without) {
  std::vector<bool> seen(adj.size(), false);
  std::vector<std::size_t> todo{from};
  seen[from] = true;
  while (!todo.empty()) {
    const std::size_t u = todo.back();
    todo.pop_back();
    for (const auto& [v, e] : adj[u])
      if (e != without && !seen[v]) {
        seen[v] = true;
        todo.push_back(v);
      }
  }
  return seen;
}

// The first (by position) suppressed entry that is a bridge of the suppressed graph, by Tarjan's
// low-link: an entry on no cycle of suppressed entries (row, column, row, ...) is the one unknown
// its side of the graph can be differenced down to, so the published figures fix it exactly.
std::optional<std::size_t> first_bridge(const Grid& g, const Adjacency& adj) {
  std::vector<int> disc(adj.size(), -1), low(adj.size(), 0);
  int time = 0;
  std::optional<std::size_t> bridge;
  const auto dfs = [&](const auto& self, std::size_t u, std::size_t via) -> void {
    disc[u] = low[u] = time++;
    for (const auto& [v, e] : adj[u]) {
      if (e == via)
        continue;
      if (disc[v] >= 0) {
        low[u] = std::min(low[u], disc[v]);
        continue;
      }
      self(self, v, e);
      low[u] = std::min(low[u], low[v]);
      if (low[v] > disc[u] && (!bridge || e < *bridge))
        bridge = e;
    }
  };
  for (std::size_t u = 0; u < adj.size(); ++u)
    if (disc[u] < 0)
      dfs(dfs, u, g.value.size());
  return bridge;
}

// Rule 3, the bridge rule: a suppressed entry that is a bridge splits its part of the graph, once
// removed, into A (holding its row line) and B (holding its column line). Suppresses the entry
// that closes a cycle through it, one between a row line of A and a column line of B or the other
// way round; when every such entry is zero, grows a side with an entry joining the bridge's row or
// column line to a line outside A and B; when those have none left, with any entry joining A or B
// to a line outside them (one always exists: the bridge's count has to flow back from B to A, and
// not through a zero; failing that, this throws rather than publish). Returns whether it did.
bool bridge_rule(Grid& g) {
  const Adjacency adj = suppressed_graph(g);
  const std::optional<std::size_t> bridge = first_bridge(g, adj);
  if (!bridge)
    return false;
  const std::vector<bool> a = reachable(adj, g.row_node(*bridge), *bridge);
  const std::vector<bool> b = reachable(adj, g.column_node(*bridge), *bridge);
  const std::size_t r = g.row_node(*bridge), c = g.column_node(*bridge);
  std::optional<std::size_t> victim = pick(g, [&](std::size_t i) {
    const std::size_t u = g.row_node(i), v = g.column_node(i);
    return (a[u] && b[v]) || (b[u] && a[v]);
  });
  // Growing: one end in the bridge's part of the graph, the other outside it.
  const auto grows = [&](std::size_t i) {
    const std::size_t u = g.row_node(i), v = g.column_node(i);
    return (a[u] || b[u]) != (a[v] || b[v]);
  };
  if (!victim)
    victim = pick(g, [&](std::size_t i) {
      return grows(i) && (g.row_node(i) == r || g.column_node(i) == c);
    });
  if (!victim)
    victim = pick(g, grows);
  if (!victim)
    throw std::logic_error("disclosure control: no entry left to protect a suppressed one");
  g.hidden[*victim] = true;
  return true;
}

// Rule 4, the bounds rule, which rules 2 and 3 are the common cases of: an entry the published
// figures fix exactly, given that every suppressed entry is at least 1. The entries are a
// circulation on the line nodes (Grid::flows_row_to_column) and the suppressed ones are its
// unknown part, so another table with the same published figures differs from the true one by a
// circulation on the suppressed entries that keeps each at least 1. In the residual graph, where
// a suppressed entry can always grow (an arc along its flow) and can shrink only if it is at least
// 2 (an arc against it), entry e can grow iff its head reaches its tail without e, and can shrink
// iff it is at least 2 and its tail reaches its head without e; it is fixed iff neither. (Integer
// capacities: a change, if there is one, can be a whole 1.) For the first fixed entry, suppresses
// an entry that lets it grow, one joining a line its head reaches to one that reaches its tail;
// when every such entry is zero, one that grows either set (one always exists: what flows into
// the set its head reaches has to flow out through a shown non-zero entry; failing that, this
// throws rather than publish). Returns whether it did.
bool bounds_rule(Grid& g) {
  struct Arc {
    std::size_t from, to, entry;
  };
  std::vector<Arc> arcs;
  for (std::size_t i = 0; i < g.value.size(); ++i) {
    if (!g.hidden[i])
      continue;
    const bool forward = g.flows_row_to_column(i);
    const std::size_t tail = forward ? g.row_node(i) : g.column_node(i);
    const std::size_t head = forward ? g.column_node(i) : g.row_node(i);
    arcs.push_back({tail, head, i});
    if (g.value[i] >= 2)
      arcs.push_back({head, tail, i});
  }
  // The nodes `from` reaches without entry `without` (or, backwards, those that reach `from`).
  const auto reach = [&](std::size_t from, std::size_t without, bool backwards) {
    std::vector<bool> seen(g.nodes(), false);
    seen[from] = true;
    for (bool grew = true; grew;) {
      grew = false;
      for (const Arc& a : arcs) {
        const std::size_t s = backwards ? a.to : a.from, t = backwards ? a.from : a.to;
        if (a.entry != without && seen[s] && !seen[t]) {
          seen[t] = grew = true;
        }
      }
    }
    return seen;
  };
  for (std::size_t e = 0; e < g.value.size(); ++e) {
    if (!g.hidden[e])
      continue;
    const bool forward = g.flows_row_to_column(e);
    const std::size_t tail = forward ? g.row_node(e) : g.column_node(e);
    const std::size_t head = forward ? g.column_node(e) : g.row_node(e);
    const std::vector<bool> from_head = reach(head, e, false);
    if (from_head[tail])
      continue;  // e can grow
    if (g.value[e] >= 2 && reach(tail, e, false)[head])
      continue;  // e can shrink
    const std::vector<bool> to_tail = reach(tail, e, true);
    std::optional<std::size_t> victim = pick(g, [&](std::size_t i) {
      const std::size_t u = g.row_node(i), v = g.column_node(i);
      return (from_head[u] && to_tail[v]) || (to_tail[u] && from_head[v]);
    });
    if (!victim)
      victim = pick(g, [&](std::size_t i) {
        const std::size_t u = g.row_node(i), v = g.column_node(i);
        return from_head[u] != from_head[v] || to_tail[u] != to_tail[v];
      });
    if (!victim)
      throw std::logic_error("disclosure control: no entry left to protect a suppressed one");
    g.hidden[*victim] = true;
    return true;
  }
  return false;
}

// Secondary suppression: rules 1 to 4 together until none of them suppresses anything more. Each
// only ever adds a suppression, so this ends (at worst with every non-zero entry suppressed, when
// every suppressed entry lies on a cycle of the flow and so can grow). Returns how many entries it
// suppressed.
std::size_t suppress_secondary(Grid& g) {
  const std::vector<Line> lines = lines_of(g);
  std::size_t added = 0;
  for (;;) {
    added += line_rule(g, lines);
    if (lower_bound_rule(g, lines) || bridge_rule(g) || bounds_rule(g)) {
      ++added;
      continue;
    }
    return added;
  }
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
           "could be worked out from the totals and the other counts shown, further counts or "
           "totals are also shown as c.";
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

namespace {

// protect(), with some entries of the totals row (column totals, then the grand total last)
// hidden from the start, as a table published beside it hides them.
ProtectedTable protect_forced(const CountTable& table, Profile profile,
                              const std::vector<bool>& forced_totals) {
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
    for (std::size_t c = 0; c < forced_totals.size() && c <= table.columns.size(); ++c) {
      if (forced_totals[c] && !g.hidden[g.at(table.rows.size(), c)]) {
        g.hidden[g.at(table.rows.size(), c)] = true;
        ++out.secondary;
      }
    }
    out.secondary += suppress_secondary(g);
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

}  // namespace

ProtectedTable protect(const CountTable& table, Profile profile) {
  return protect_forced(table, profile, {});
}

std::vector<ProtectedTable> protect_together(const std::vector<CountTable>& tables,
                                             Profile profile) {
  if (tables.empty())
    return {};
  const std::size_t nc = tables.front().columns.size();
  std::vector<std::int64_t> totals;
  for (const CountTable& t : tables) {
    validate(t);
    std::vector<std::int64_t> these(nc + 1, 0);
    if (t.columns != tables.front().columns)
      throw core::ValidationError(
          "disclosure control: tables protected together must share "
          "their columns");
    for (const auto& row : t.counts) {
      for (std::size_t c = 0; c < nc; ++c) {
        these[c] = checked_add(these[c], row[c]);
        these[nc] = checked_add(these[nc], row[c]);
      }
    }
    if (totals.empty())
      totals = these;
    else if (these != totals)
      throw core::ValidationError(
          "disclosure control: tables protected together must have the "
          "same column totals");
  }
  // Each table hides whatever totals any of them hides, until they agree: every table then shows
  // or hides each shared total alike, and each is protected with those totals hidden.
  std::vector<bool> forced(nc + 1, false);
  for (;;) {
    std::vector<ProtectedTable> out;
    std::vector<bool> hidden = forced;
    for (const CountTable& t : tables) {
      out.push_back(protect_forced(t, profile, forced));
      for (std::size_t c = 0; c < nc; ++c)
        hidden[c] = hidden[c] || out.back().column_totals[c].suppressed();
      hidden[nc] = hidden[nc] || out.back().grand_total.suppressed();
    }
    if (hidden == forced)
      return out;
    forced = hidden;
  }
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
