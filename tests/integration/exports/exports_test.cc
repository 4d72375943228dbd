// Exports end to end (docs/exports.md, docs/board-guide.md): the real pathaudit binary builds an
// audit through the CLI on a synthetic partnership with canaries planted in its extracts
// (prepare_extracts.py); returns are answered, returned, accepted, discussed, moderated and
// locked; then the board workbook (dfe and nhs), the QA detail workbook and the detail CSV are
// exported and read back with Debian's openpyxl and zipfile (read_workbook.py), and the board
// workbook is converted to PDF by LibreOffice headless. Expected figures come from the answers
// files the test wrote, from `pathaudit audit collate --format csv` and from sqlite3 queries,
// never from the export code. Which children are sampled differs from run to run (their keys
// come from a fresh pseudonym key), so every expectation is worked out from what was drawn. One
// audit is built per test case (scrypt makes users slow), so the first test case checks
// everything that needs completed reviews.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.h"

using pathaudit::testing::read_file;
using pathaudit::testing::run;
using pathaudit::testing::run_pathaudit;
using pathaudit::testing::RunResult;
using pathaudit::testing::TempDir;
using pathaudit::testing::write_file;

namespace {

const std::string kPassword = "correct horse battery staple";
const std::string kSource = PATHAUDIT_SOURCE_DIR;
const std::string kHere = kSource + "/tests/integration/exports";
const std::string kFill = kSource + "/scripts/demo-answers";
const std::string kTemplate = kSource + "/audit-templates/csa-response-pathway/1.json";
const std::string kReason = "Synthetic reason: partnership board meeting, December";

// Text the test writes that must never reach a board workbook.
const std::string kBoardSafe =
    "Synthetic board-safe learning: strategy discussions brought health in on the same day.";
const std::string kRestricted = "Synthetic restricted learning number ";
const std::string kActionWording = "Synthetic action wording";
const std::string kRationale = "Synthetic rationale: the strategy discussion had no health partner";
const std::string kComment = "Synthetic QA comment: say which records the grade rests on";
const std::string kAnswerText = "Synthetic demo finding for";

using Row = std::map<std::string, std::string>;

std::vector<std::vector<std::string>> parse_csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty())
    rows.back().push_back(field);
  if (rows.back().empty())
    rows.pop_back();
  return rows;
}

// RFC 4180 with a header row, as rows keyed by the header.
std::vector<Row> parse_csv(const std::string& text) {
  const auto rows = parse_csv_rows(text);
  std::vector<Row> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    Row row;
    for (std::size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c)
      row[rows[0][c]] = rows[r][c];
    out.push_back(row);
  }
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \n\r\t");
  const auto e = s.find_last_not_of(" \n\r\t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Poco::JSON::Object::Ptr json_object(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string today_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// ---- The template, read independently of pathaudit -------------------------------------------

struct TemplateFacts {
  std::vector<std::string> stages;                    // in order
  std::map<std::string, std::string> question_stage;  // grade question -> stage
  std::map<std::string, std::string> section_stage;   // section -> stage
  std::vector<std::string> grades, labels;            // the default scale, in order
};

TemplateFacts template_facts() {
  const auto t = json_object(read_file(kTemplate));
  TemplateFacts f;
  for (const auto& s : *t->getArray("stages"))
    f.stages.push_back(s.extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("id"));
  for (const auto& s : *t->getArray("sections")) {
    const auto sec = s.extract<Poco::JSON::Object::Ptr>();
    f.section_stage[sec->getValue<std::string>("id")] = sec->getValue<std::string>("stage");
    for (const auto& q : *sec->getArray("questions")) {
      const auto o = q.extract<Poco::JSON::Object::Ptr>();
      if (o->getValue<std::string>("type") == "grade")
        f.question_stage[o->getValue<std::string>("id")] = o->getValue<std::string>("stage");
    }
  }
  const std::string scale = t->getValue<std::string>("default_scale");
  for (const auto& s : *t->getArray("scales")) {
    const auto o = s.extract<Poco::JSON::Object::Ptr>();
    if (o->getValue<std::string>("id") != scale)
      continue;
    for (const auto& v : *o->getArray("values")) {
      const auto val = v.extract<Poco::JSON::Object::Ptr>();
      f.grades.push_back(val->getValue<std::string>("code"));
      f.labels.push_back(val->getValue<std::string>("label"));
    }
  }
  return f;
}

// ---- Workbooks, as read_workbook.py reads them -------------------------------------------------

struct XCell {
  bool present = false;
  bool number = false;
  double value = 0;
  std::string text;    // strings (and booleans, as text)
  std::string format;  // number format
  std::string type;    // openpyxl data_type: n, s, f, b, ...
  bool is(const std::string& s) const { return present && !number && text == s; }
  bool integer() const { return number && std::floor(value) == value; }
  std::string show() const {
    if (!present)
      return "(blank)";
    if (number) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", value);
      return buf;
    }
    return "'" + text + "'";
  }
};

struct XSheet {
  std::string name, freeze, autofilter;
  int charts = 0;
  std::vector<std::vector<XCell>> rows;
  const XCell& at(std::size_t r, std::size_t c) const {
    static const XCell blank;
    if (r >= rows.size() || c >= rows[r].size())
      return blank;
    return rows[r][c];
  }
  // The texts of row r from column 0 up to its last present cell.
  std::vector<std::string> texts(std::size_t r) const {
    std::vector<std::string> out;
    if (r >= rows.size())
      return out;
    std::size_t last = 0;
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      if (rows[r][c].present)
        last = c + 1;
    }
    for (std::size_t c = 0; c < last; ++c)
      out.push_back(rows[r][c].number ? rows[r][c].show() : rows[r][c].text);
    return out;
  }
  // The first row at or after `from` whose first cell is `label`.
  std::optional<std::size_t> row_of(const std::string& label, std::size_t from = 0) const {
    for (std::size_t r = from; r < rows.size(); ++r) {
      if (at(r, 0).is(label))
        return r;
    }
    return std::nullopt;
  }
};

struct XBook {
  std::vector<XSheet> sheets;
  std::map<std::string, std::string> properties;
  std::map<std::string, std::string> parts;  // every XML part, unzipped
  std::vector<std::string> chart_values;     // every value cached in a chart
  std::vector<std::string> chart_numbers;    // those of number caches (the plotted counts)
  int formulas = 0;

  const XSheet& sheet(const std::string& name) const {
    for (const auto& s : sheets) {
      if (s.name == name)
        return s;
    }
    FAIL("no sheet " << name);
    return sheets.front();
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& s : sheets)
      out.push_back(s.name);
    return out;
  }
  std::string all_xml() const {
    std::string out;
    for (const auto& [name, text] : parts)
      out += text + "\n";
    return out;
  }
};

XBook read_workbook(const std::string& path) {
  const auto r = run({PYTHON3, kHere + "/read_workbook.py", path});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto root = json_object(r.out);
  XBook book;
  for (const auto& sv : *root->getArray("sheets")) {
    const auto s = sv.extract<Poco::JSON::Object::Ptr>();
    XSheet sheet;
    sheet.name = s->getValue<std::string>("name");
    sheet.freeze = s->getValue<std::string>("freeze");
    sheet.autofilter = s->getValue<std::string>("autofilter");
    sheet.charts = s->getValue<int>("charts");
    for (const auto& rv : *s->getArray("rows")) {
      std::vector<XCell> row;
      for (const auto& cv : *rv.extract<Poco::JSON::Array::Ptr>()) {
        XCell cell;
        if (!cv.isEmpty()) {
          const auto a = cv.extract<Poco::JSON::Array::Ptr>();
          const auto v = a->get(0);
          cell.present = true;
          cell.format = a->getElement<std::string>(1);
          cell.type = a->getElement<std::string>(2);
          if (v.isString()) {
            cell.text = v.extract<std::string>();
          } else if (v.isBoolean()) {
            cell.text = v.convert<std::string>();
          } else {
            cell.number = true;
            cell.value = v.convert<double>();
          }
        }
        row.push_back(cell);
      }
      sheet.rows.push_back(std::move(row));
    }
    book.sheets.push_back(std::move(sheet));
  }
  const auto props = root->getObject("properties");
  for (const auto& [k, v] : *props)
    book.properties[k] = v.convert<std::string>();
  const auto parts = root->getObject("xml");
  for (const auto& [k, v] : *parts)
    book.parts[k] = v.convert<std::string>();
  for (const auto& v : *root->getArray("chart_values"))
    book.chart_values.push_back(v.convert<std::string>());
  for (const auto& v : *root->getArray("chart_numbers"))
    book.chart_numbers.push_back(v.convert<std::string>());
  book.formulas = root->getValue<int>("formulas");
  return book;
}

std::optional<double> as_number(const std::string& s) {
  if (s.empty())
    return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size())
    return std::nullopt;
  return v;
}

// ---- Disclosure checks on a table laid out as the board workbook lays them out ---------------

// A two-way table on a sheet: the header row, the entries' columns (the last is the rows'
// total) and the rows down to and including the "Total" row (the columns' totals).
struct TableAt {
  std::size_t header = 0;
  std::size_t first_col = 0, total_col = 0;
  std::size_t first_row = 0, total_row = 0;
};

TableAt locate(const XSheet& s, std::size_t header_row, std::size_t first_col,
               const std::string& total_heading) {
  TableAt t;
  t.header = header_row;
  t.first_col = first_col;
  const auto h = s.texts(header_row);
  const auto it = std::find(h.begin() + static_cast<long>(first_col), h.end(), total_heading);
  REQUIRE(it != h.end());
  t.total_col = static_cast<std::size_t>(it - h.begin());
  t.first_row = header_row + 1;
  const auto total = s.row_of("Total", t.first_row);
  REQUIRE(total);
  t.total_row = *total;
  return t;
}

// No row or column of the table, its total included, has exactly one suppressed entry; every
// entry is a number or the symbol.
void check_no_lone_suppression(const XSheet& s, const TableAt& t, const std::string& symbol) {
  for (std::size_t r = t.first_row; r <= t.total_row; ++r) {
    int hidden = 0;
    for (std::size_t c = t.first_col; c <= t.total_col; ++c) {
      const XCell& cell = s.at(r, c);
      INFO(s.name << " row " << r + 1 << " column " << c + 1 << ": " << cell.show());
      CHECK((cell.number || cell.is(symbol)));
      hidden += cell.is(symbol) ? 1 : 0;
    }
    INFO(s.name << " row " << r + 1 << " (" << s.at(r, 0).show() << ")");
    CHECK(hidden != 1);
  }
  for (std::size_t c = t.first_col; c <= t.total_col; ++c) {
    int hidden = 0;
    for (std::size_t r = t.first_row; r <= t.total_row; ++r)
      hidden += s.at(r, c).is(symbol) ? 1 : 0;
    INFO(s.name << " column " << c + 1 << " (" << s.at(t.header, c).show() << ")");
    CHECK(hidden != 1);
  }
}

// True counts of a table: [row][col], totals included in the last row and column.
using Grid = std::vector<std::vector<long>>;

Grid with_totals(const std::vector<std::vector<long>>& cells) {
  Grid g = cells;
  const std::size_t cols = cells.empty() ? 0 : cells.front().size();
  std::vector<long> totals(cols + 1, 0);
  for (auto& row : g) {
    long sum = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      sum += row[c];
      totals[c] += row[c];
    }
    row.push_back(sum);
    totals[cols] += sum;
  }
  g.push_back(totals);
  return g;
}

// Every entry shown equals its true count; a true count of 1 to 5 is always the symbol, a true
// zero always 0; any other symbol is secondary suppression.
void check_against_truth(const XSheet& s, const TableAt& t, const Grid& truth) {
  REQUIRE(truth.size() == t.total_row - t.first_row + 1);
  for (std::size_t r = 0; r < truth.size(); ++r) {
    REQUIRE(truth[r].size() == t.total_col - t.first_col + 1);
    for (std::size_t c = 0; c < truth[r].size(); ++c) {
      const XCell& cell = s.at(t.first_row + r, t.first_col + c);
      const long n = truth[r][c];
      INFO(s.name << " " << s.at(t.first_row + r, 0).show() << " x "
                  << s.at(t.header, t.first_col + c).show() << ": shown " << cell.show()
                  << ", true count " << n);
      if (n >= 1 && n <= 5) {
        CHECK(cell.is("c"));
      } else if (n == 0) {
        CHECK((cell.number && cell.value == 0));
      } else {
        CHECK(((cell.number && cell.value == static_cast<double>(n)) || cell.is("c")));
      }
    }
  }
}

// Percentages of the graded columns: each graded count's share of the graded returns (the row's
// total less the columns after the graded ones, "Not applicable"), shown only when the count, the
// total and those columns are all shown and the base is not zero.
void check_percentages(const XSheet& s, const TableAt& t, std::size_t graded,
                       std::size_t first_percent_col) {
  for (std::size_t r = t.first_row; r < t.total_row; ++r) {
    bool has_base = s.at(r, t.total_col).number;
    double base = has_base ? s.at(r, t.total_col).value : 0;
    for (std::size_t c = t.first_col + graded; c < t.total_col && has_base; ++c) {
      has_base = s.at(r, c).number;
      base -= s.at(r, c).value;
    }
    for (std::size_t c = 0; c < graded; ++c) {
      const XCell& count = s.at(r, t.first_col + c);
      const XCell& pct = s.at(r, first_percent_col + c);
      INFO(s.name << " row " << r + 1 << " percentage " << c + 1 << ": " << pct.show()
                  << " of count " << count.show());
      if (!count.number || !has_base || base == 0) {
        CHECK(!pct.present);
      } else {
        REQUIRE(pct.number);
        CHECK(std::fabs(pct.value - 100.0 * count.value / base) < 1e-9);
      }
    }
  }
}

// ---- The audit, built through the CLI ----------------------------------------------------------

struct Action {
  std::string owner, due, status, description;
  std::size_t case_index = 0;
};

class Partnership {
 public:
  // A synthetic partnership with canaries, imported; the review template; a QA lead and a board
  // member. With `reviews`, an earlier audit on the same template and the audit under test
  // (audit 2), sampled, assigned, answered, returned once, accepted, discussed, moderated and
  // locked; without, one audit (audit 1), sampled only.
  explicit Partnership(bool reviews) {
    REQUIRE(pa({"synth", "--seed", "5", "--children", "80", "--out", dir_ / "synth"}).status == 0);
    auto prep = run({PYTHON3, kHere + "/prepare_extracts.py", dir_ / "synth"});
    INFO(prep.err);
    REQUIRE(prep.status == 0);
    identifiers_ = json_object(prep.out);
    REQUIRE(cli({"init", "--partnership", dir_ / "synth/partnership.json"}).status == 0);
    std::vector<std::string> import{"import"};
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "synth")) {
      const std::string name = e.path().filename().string();
      if (name.rfind("events-", 0) == 0 && e.path().extension() == ".csv")
        import.push_back(e.path().string());
    }
    REQUIRE(import.size() == 11);
    auto r = cli(import);
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE(cli({"templates", "import", kTemplate}).status == 0);
    add_user("qa", "qa_lead");
    add_user("board", "board");
    if (!reviews) {
      REQUIRE(create_audit("Exports refusals", "2022-01-01", "2027-12-31"));
      REQUIRE(cli({"sample", "--audit", "1", "--size", "2", "--seed", "3"}).status == 0);
      add_user("csc.auditor", "auditor", "-CSC");
      audit_ = "1";
      return;
    }
    // The earlier audit: the Flags sheet compares with its population's flags.
    REQUIRE(create_audit("Earlier audit", "2022-01-01", "2023-12-31"));
    REQUIRE(create_audit("Exports audit", "2022-01-01", "2027-12-31"));
    audit_ = "2";
    REQUIRE(cli({"sample", "--audit", audit_, "--size", "6", "--seed", "3"}).status == 0);
    // An auditor for each agency with returns to make, then the assignments.
    r = cli({"assign", "--audit", audit_, "--qa-lead", "qa"});
    REQUIRE(r.status == 0);
    std::istringstream table(r.out);
    for (std::string line; std::getline(table, line);) {
      std::istringstream words(line);
      std::string kind, agency;
      words >> kind >> agency;
      if (kind != "return")
        continue;
      std::string name;
      for (char c : lower(agency))
        name += std::isalnum(static_cast<unsigned char>(c)) ? std::string(1, c) : "";
      add_user(name + ".auditor", "auditor", agency);
    }
    r = cli({"assign", "--audit", audit_, "--qa-lead", "qa"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    complete_reviews();
    discuss_moderate_lock();
  }

  std::string data() const { return dir_ / "data"; }
  std::string path(const std::string& name) const { return dir_ / name; }
  const std::string& audit() const { return audit_; }
  const Poco::JSON::Object::Ptr& identifiers() const { return identifiers_; }
  const TemplateFacts& facts() const { return facts_; }

  RunResult pa(std::vector<std::string> args) const { return run_pathaudit(std::move(args)); }
  RunResult cli(std::vector<std::string> args) const {
    args.push_back("--data-dir");
    args.push_back(data());
    return run_pathaudit(std::move(args));
  }
  RunResult as(const std::string& user, std::vector<std::string> args) const {
    args.push_back("--as");
    args.push_back(user);
    return cli(std::move(args));
  }
  RunResult sh(const std::string& command) const { return run({"/bin/sh", "-c", command}); }

  void add_user(const std::string& name, const std::string& role, const std::string& agency = "") {
    std::string cmd = "printf '%s\\n' " + shell_quote(kPassword) + " | " +
                      shell_quote(PATHAUDIT_BINARY) + " users add --data-dir " +
                      shell_quote(data()) + " --username " + name + " --display-name " +
                      shell_quote("Test " + name) + " --role " + role + " --password-stdin";
    if (!agency.empty())
      cmd += " --agency=" + shell_quote(agency);
    auto r = sh(cmd);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }

  bool create_audit(const std::string& title, const std::string& from, const std::string& to) {
    return cli({"audit", "create", "--title", title, "--template", "csa-response-pathway",
                "--period-start", from, "--period-end", to})
               .status == 0;
  }

  std::vector<Row> reviews() const {
    auto r = cli({"review", "list", "--audit", audit_, "--format", "csv"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return parse_csv(r.out);
  }

  std::string sql(const std::string& query) const {
    return pathaudit::testing::query_db(data() + "/pathaudit.db", query);
  }
  std::vector<std::vector<std::string>> sql_rows(const std::string& query) const {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(sql(query));
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> fields;
      std::size_t start = 0;
      for (std::size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1)
        fields.push_back(line.substr(start, bar - start));
      fields.push_back(line.substr(start));
      out.push_back(fields);
    }
    return out;
  }
  long sql_count(const std::string& query) const { return std::stol(trim(sql(query))); }

  // What the test wrote and decided, to check the exports against.
  std::map<std::tuple<std::string, std::string, std::string>, long> grades;  // stage, agency, g
  std::map<std::string, std::map<std::string, std::string>> return_grades;   // review -> stage -> g
  std::map<std::string, int> moderated_differently;                          // review -> count
  std::vector<std::string> case_ids;                                         // in sample order
  std::vector<Action> actions;
  std::string returned_review;

 private:
  // Answers every return from scripts/demo-answers (variants by review id, so grades differ;
  // every fourth return marks the medical section not applicable), the first is returned with
  // a comment and resubmitted; all are accepted.
  void complete_reviews() {
    const auto all = reviews();
    REQUIRE(all.size() > 6);
    for (const auto& r : all) {
      if (std::find(case_ids.begin(), case_ids.end(), r.at("case")) == case_ids.end())
        case_ids.push_back(r.at("case"));
    }
    for (const auto& row : all) {
      const std::string id = row.at("id"), auditor = row.at("auditor");
      const std::string form = path("form-" + id + ".json");
      auto res = sh(shell_quote(PATHAUDIT_BINARY) + " review form " + id + " --data-dir " +
                    shell_quote(data()) + " --as " + auditor + " --format json | " + PYTHON3 + " " +
                    shell_quote(kFill) + " --variant " + std::to_string(std::stoi(id) % 3) + " > " +
                    shell_quote(form));
      INFO(res.err);
      REQUIRE(res.status == 0);
      const auto answers = json_object(read_file(form))->getObject("answers");
      const bool medical_na = std::stoi(id) % 4 == 0;
      std::string file = "{\"answers\": {";
      bool first = true;
      for (const auto& [q, v] : *answers) {
        if (medical_na && q.rfind("medical.", 0) == 0)
          continue;
        Poco::JSON::Object holder;
        holder.set("v", v);
        std::ostringstream value;
        holder.stringify(value);
        // {"v":VALUE} -> VALUE
        const std::string text = value.str().substr(5, value.str().size() - 6);
        file += std::string(first ? "" : ", ") + json_string(q) + ": " + text;
        first = false;
        if (facts_.question_stage.count(q)) {
          const std::string stage = facts_.question_stage.at(q), g = v.convert<std::string>();
          ++grades[{stage, row.at("agency"), g}];
          return_grades[id][stage] = g;
        }
      }
      file += "}";
      if (medical_na) {
        file += ", \"not_applicable\": [\"medical\"]";
        const std::string stage = facts_.section_stage.at("medical");
        ++grades[{stage, row.at("agency"), "not_applicable"}];
        return_grades[id][stage] = "not_applicable";
      }
      file += "}\n";
      write_file(path("answers-" + id + ".json"), file);
      res = as(auditor, {"review", "answer", id, "--file", path("answers-" + id + ".json")});
      INFO(res.err);
      REQUIRE(res.status == 0);
      REQUIRE(as(auditor, {"review", "submit", id}).status == 0);
      if (returned_review.empty()) {
        // Returned once with a comment, then resubmitted as it was.
        returned_review = id;
        write_file(path("comments.json"),
                   "{\"comments\": {\"concern_arises.grade\": " + json_string(kComment) + "}}");
        res = as("qa", {"review", "return", id, "--file", path("comments.json")});
        INFO(res.err);
        REQUIRE(res.status == 0);
        REQUIRE(as(auditor, {"review", "submit", id}).status == 0);
      }
      res = as("qa", {"review", "accept", id});
      INFO(res.err);
      REQUIRE(res.status == 0);
    }
  }

  // Every case discussed (the first case's learning marked board-safe, the others' not, each
  // distinct), with actions owned by three agencies; the first case moderated with changed grades
  // and a rationale, the others as given; all locked; some actions then move on.
  void discuss_moderate_lock() {
    const auto all = reviews();
    const std::string strategy_q = [&] {
      for (const auto& [q, st] : facts_.question_stage) {
        if (st == "2.2")
          return q;
      }
      return std::string();
    }();
    REQUIRE(!strategy_q.empty());
    const std::string old_due = "2020-01-31", later_due = "2035-06-30";
    for (std::size_t i = 0; i < case_ids.size(); ++i) {
      std::set<std::string> attendees;
      for (const auto& r : all) {
        if (r.at("case") == case_ids[i])
          attendees.insert(r.at("agency"));
      }
      std::vector<Action> mine;
      if (i == 0) {
        for (int k = 1; k <= 6; ++k)
          mine.push_back({"POLICE", k <= 4 ? old_due : later_due, "open",
                          "=SUM(1+1) " + kActionWording + " P" + std::to_string(k), i});
      } else if (i == 1) {
        for (int k = 1; k <= 2; ++k)
          mine.push_back(
              {"-CSC", later_due, "open", "+" + kActionWording + " C" + std::to_string(k), i});
      } else if (i == 2) {
        mine.push_back({"EH", old_due, "open", "@" + kActionWording + " E1", i});
      }
      std::string file =
          "{\"held_on\": \"2026-11-20\", \"grades\": {\"2.2\": \"requires_improvement\"}, "
          "\"attendees\": [";
      bool first = true;
      for (const auto& a : attendees) {
        file += std::string(first ? "" : ", ") + json_string(a);
        first = false;
      }
      file += "], \"learning\": " +
              json_string(i == 0 ? kBoardSafe : kRestricted + std::to_string(i) + ".") +
              ", \"learning_tags\": [\"information_sharing\"], \"learning_board_safe\": " +
              (i == 0 ? "true" : "false") + ", \"actions\": [";
      first = true;
      for (const auto& a : mine) {
        file += std::string(first ? "" : ", ") + "{\"description\": " + json_string(a.description) +
                ", \"owner\": " + json_string(a.owner) + ", \"due\": " + json_string(a.due) + "}";
        first = false;
      }
      file += "]}\n";
      const std::string name = path("discussion-" + case_ids[i] + ".json");
      write_file(name, file);
      auto r = as("qa", {"review", "discuss", case_ids[i], "--file", name});
      INFO(file << r.err);
      REQUIRE(r.status == 0);
      actions.insert(actions.end(), mine.begin(), mine.end());

      // The first case: the strategy discussion grade of up to three returns changed.
      std::vector<std::string> moderate{"review", "moderate", case_ids[i]};
      if (i == 0) {
        std::string grades_file = "{\"grades\": [";
        int changed = 0;
        for (const auto& row : all) {
          if (row.at("case") != case_ids[i] || changed == 3)
            continue;
          const std::string id = row.at("id");
          const std::string given = return_grades[id].at("2.2");
          const std::string to = changed == 2 ? "outstanding" : "inadequate";
          grades_file += std::string(changed ? ", " : "") + "{\"review\": " + id +
                         ", \"question\": " + json_string(strategy_q) + ", \"grade\": \"" + to +
                         "\", \"rationale\": " + json_string(kRationale) + "}";
          --grades[{"2.2", row.at("agency"), given}];
          ++grades[{"2.2", row.at("agency"), to}];
          return_grades[id]["2.2"] = to;
          moderated_differently[id] += given != to ? 1 : 0;
          ++changed;
        }
        grades_file += "]}\n";
        write_file(path("moderation.json"), grades_file);
        moderate.push_back("--file");
        moderate.push_back(path("moderation.json"));
      }
      r = as("qa", moderate);
      INFO(r.err);
      REQUIRE(r.status == 0);
      r = as("qa", {"review", "lock", case_ids[i]});
      INFO(r.err);
      REQUIRE(r.status == 0);
    }
    for (auto it = grades.begin(); it != grades.end();)
      it = it->second == 0 ? grades.erase(it) : std::next(it);
    // One POLICE action done, one CSC action in progress.
    const auto listed = parse_csv(as("qa", {"actions", "list", "--format", "csv"}).out);
    REQUIRE(listed.size() == actions.size());
    auto move = [&](const std::string& owner, const std::string& status) {
      for (const auto& a : listed) {
        if (a.at("owner") != owner)
          continue;
        REQUIRE(as("qa", {"actions", "update", a.at("id"), "--status", status}).status == 0);
        for (auto& mine : actions) {
          if (mine.description == a.at("description")) {
            mine.status = status;
            return;
          }
        }
        FAIL("an action listed that the test did not write: " << a.at("description"));
      }
    };
    move("POLICE", "done");
    move("-CSC", "in_progress");
  }

  TempDir dir_;
  TemplateFacts facts_ = template_facts();
  Poco::JSON::Object::Ptr identifiers_;
  std::string audit_;
};

std::string sha256_of(const std::string& file) {
  const auto r = run({"/usr/bin/sha256sum", file});
  REQUIRE(r.status == 0);
  return r.out.substr(0, 64);
}

// The manifest id `export N (...` that the CLI prints.
std::string manifest_of(const RunResult& r) {
  REQUIRE(r.out.rfind("export ", 0) == 0);
  return r.out.substr(7, r.out.find(' ', 7) - 7);
}

// Collation rows: (measure, stage, agency, category) -> value.
std::map<std::tuple<std::string, std::string, std::string, std::string>, long> collation(
    const Partnership& p) {
  auto r = p.as("qa", {"audit", "collate", p.audit(), "--format", "csv"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::map<std::tuple<std::string, std::string, std::string, std::string>, long> out;
  for (const auto& row : parse_csv(r.out)) {
    const auto v = as_number(row.at("value"));
    if (v)
      out[{row.at("measure"), row.at("stage"), row.at("agency"), row.at("category")}] =
          static_cast<long>(*v);
  }
  return out;
}

// Every identifier, pseudonym and piece of free text that must never be in a board workbook.
std::vector<std::string> forbidden_in_board(const Partnership& p) {
  std::vector<std::string> out;
  for (const auto& r : p.reviews())
    out.push_back(r.at("child_key"));
  for (const auto& row : p.sql_rows("SELECT display_key, hex(pseudonym) FROM children")) {
    out.push_back(row[0]);
    out.push_back(row[1]);
  }
  const auto ids = p.identifiers();
  for (const char* list : {"nhs", "event_refs", "local_ids"}) {
    for (const auto& v : *ids->getArray(list))
      out.push_back(v.convert<std::string>());
  }
  out.push_back(ids->getValue<std::string>("canary_nhs"));
  out.push_back(ids->getValue<std::string>("canary_surname"));
  out.push_back(ids->getValue<std::string>("canary_note"));
  for (std::size_t i = 1; i < p.case_ids.size(); ++i)
    out.push_back(kRestricted + std::to_string(i));
  for (const auto& a : p.actions)
    out.push_back(a.description);
  out.push_back(kActionWording);
  out.push_back(kRationale);
  out.push_back(kComment);
  out.push_back(kAnswerText);
  return out;
}

void check_nothing_identifying(const XBook& book, const std::vector<std::string>& forbidden) {
  const std::string xml = lower(book.all_xml());
  REQUIRE(xml.size() > 10000);
  for (const auto& f : forbidden) {
    INFO("needle " << f);
    REQUIRE(f.size() >= 7);  // long enough never to match by chance
    INFO("found in the board workbook's XML: " << f);
    CHECK(xml.find(lower(f)) == std::string::npos);
  }
}

const std::vector<std::string> kBoardSheets{
    "Cover",      "Summary",           "Pathway stages", "Agencies", "Flags",
    "Timeliness", "Baseline measures", "Actions",        "Learning", "Notes and definitions"};
const std::vector<std::string> kStatuses{"open", "in_progress", "done", "cancelled"};

std::vector<std::string> grade_header(const TemplateFacts& f, const std::string& first,
                                      const std::string& second) {
  std::vector<std::string> h{first, second};
  h.insert(h.end(), f.labels.begin(), f.labels.end());
  h.push_back("Not applicable");
  h.push_back("Total");
  for (const auto& l : f.labels)
    h.push_back("% " + l + " (of graded returns)");
  return h;
}

std::string cover_value(const XSheet& cover, const std::string& item) {
  const auto r = cover.row_of(item);
  REQUIRE(r);
  return cover.at(*r, 1).text;
}

// Headline counts on the Summary: shown equal to the truth, the symbol only for 1 to 5.
void check_headline(const XSheet& summary, const std::string& label, long truth) {
  const auto r = summary.row_of(label);
  REQUIRE(r);
  const XCell& cell = summary.at(*r, 1);
  INFO(label << ": shown " << cell.show() << ", true " << truth);
  if (truth >= 1 && truth <= 5)
    CHECK(cell.is("c"));
  else
    CHECK((cell.number && cell.value == static_cast<double>(truth)));
}

}  // namespace

TEST_CASE("an audit's board workbook, detail workbook and CSV, read back independently",
          "[exports]") {
  Partnership p(/*reviews=*/true);
  const TemplateFacts& f = p.facts();
  const auto all_reviews = p.reviews();
  const auto coll = collation(p);

  // The collation agrees with the answers files and moderation the test wrote.
  std::map<std::tuple<std::string, std::string, std::string>, long> collated;
  for (const auto& [k, v] : coll) {
    if (std::get<0>(k) == "grade")
      collated[{std::get<1>(k), std::get<2>(k), std::get<3>(k)}] = v;
  }
  CHECK(collated == p.grades);

  // ---- Exports --------------------------------------------------------------------------------
  const std::string board = p.path("board.xlsx"), nhs = p.path("board-nhs.xlsx");
  const std::string detail = p.path("detail.xlsx"), csv = p.path("detail.csv");
  auto export_as_qa = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "export");
    const auto r = p.as("qa", args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return manifest_of(r);
  };
  const std::string board_manifest =
      export_as_qa({"board", "--audit", p.audit(), "--reason", kReason, "-o", board});
  export_as_qa({"board", "--audit", p.audit(), "--reason", kReason, "--profile", "nhs", "-o", nhs});
  const std::string detail_manifest = export_as_qa(
      {"detail", "--audit", p.audit(), "--reason", "Synthetic QA check", "-o", detail});
  const std::string csv_manifest =
      export_as_qa({"csv", "--audit", p.audit(), "--reason", "Synthetic QA check", "-o", csv});

  // Delivered files leave nothing waiting in the data directory.
  for (const auto& e : std::filesystem::directory_iterator(p.data() + "/exports"))
    FAIL("left in the data directory: " << e.path());

  // ---- The board workbook (dfe) ---------------------------------------------------------------
  const XBook book = read_workbook(board);
  CHECK(book.names() == kBoardSheets);
  CHECK(book.properties.at("title") == "Audit " + p.audit() + ": Exports audit");

  // Header rows.
  const XSheet& cover = book.sheet("Cover");
  CHECK(cover.texts(3) == std::vector<std::string>{"Item", "Detail"});
  const XSheet& summary = book.sheet("Summary");
  CHECK(summary.texts(0) == std::vector<std::string>{"Headline", "Count"});
  const XSheet& stages = book.sheet("Pathway stages");
  CHECK(stages.texts(0) == grade_header(f, "Stage", "Title"));
  const XSheet& agencies = book.sheet("Agencies");
  CHECK(agencies.texts(0) == grade_header(f, "Agency", "Name"));
  const XSheet& flags = book.sheet("Flags");
  const std::vector<std::string> codes{"-CSC", "CAMHS",  "ED",   "EH",     "GP",
                                       "HV",   "POLICE", "SARC", "SCHOOL", "VCS"};
  {
    std::vector<std::string> h{"Rule", "What it finds"};
    h.insert(h.end(), codes.begin(), codes.end());
    h.insert(h.end(), {"Total", "Previous audit total", "Change"});
    CHECK(flags.texts(0) == h);
  }
  const XSheet& timeliness = book.sheet("Timeliness");
  CHECK(timeliness.texts(0) == std::vector<std::string>{"Rule", "Timescale", "On time", "Late",
                                                        "Checks", "% on time", "Basis"});
  CHECK(book.sheet("Baseline measures").texts(0) ==
        std::vector<std::string>{"Measure", "Title", "Quarter", "Count", "Of", "Percent",
                                 "Quarter complete"});
  const XSheet& actions = book.sheet("Actions");
  {
    std::vector<std::string> h{"Owner agency"};
    h.insert(h.end(), kStatuses.begin(), kStatuses.end());
    h.insert(h.end(), {"Total", "Overdue"});
    CHECK(actions.texts(0) == h);
  }
  const XSheet& learning = book.sheet("Learning");
  CHECK(learning.texts(0) == std::vector<std::string>{"Learning", "Themes"});
  CHECK(book.sheet("Notes and definitions").texts(0) ==
        std::vector<std::string>{"Term", "Definition"});
  CHECK(stages.freeze == "C2");
  CHECK(stages.charts == 1);
  CHECK(summary.charts == 1);

  // Cover: the reason and the manifest id, which the exports table and the CLI agree on.
  CHECK(cover_value(cover, "Reason for this export") == kReason);
  CHECK(cover_value(cover, "Manifest id") == board_manifest);
  CHECK(p.sql("SELECT id FROM exports WHERE kind = 'board' AND profile = 'dfe'") ==
        board_manifest + "\n");
  CHECK(cover_value(cover, "Disclosure control").rfind("dfe: ", 0) == 0);

  // Pathway stages: stage x grade over every agency, against the collation.
  const std::size_t graded = f.grades.size();
  {
    const TableAt t = locate(stages, 0, 2, "Total");
    REQUIRE(t.total_col == 2 + graded + 1);
    REQUIRE(t.total_row - t.first_row == f.stages.size());
    std::vector<std::vector<long>> cells;
    for (std::size_t i = 0; i < f.stages.size(); ++i) {
      CHECK(stages.at(t.first_row + i, 0).is(f.stages[i]));
      std::vector<long> row;
      for (const auto& g : f.grades) {
        long n = 0;
        for (const auto& [k, v] : coll) {
          if (std::get<0>(k) == "grade" && std::get<1>(k) == f.stages[i] && std::get<3>(k) == g)
            n += v;
        }
        row.push_back(n);
      }
      long na = 0;
      for (const auto& [k, v] : coll) {
        if (std::get<0>(k) == "grade" && std::get<1>(k) == f.stages[i] &&
            std::get<3>(k) == "not_applicable")
          na += v;
      }
      row.push_back(na);
      cells.push_back(row);
    }
    const Grid truth = with_totals(cells);
    check_against_truth(stages, t, truth);
    check_no_lone_suppression(stages, t, "c");
    check_percentages(stages, t, graded, t.total_col + 1);
    // The test's data puts small counts in this table: suppression is exercised, not vacuous.
    bool small = false;
    for (const auto& row : truth)
      small = small || std::any_of(row.begin(), row.end(), [](long n) { return n >= 1 && n <= 5; });
    CHECK(small);
  }

  // Agencies: agency x grade over every stage.
  {
    const TableAt t = locate(agencies, 0, 2, "Total");
    std::set<std::string> with_returns;
    for (const auto& rv : all_reviews)
      with_returns.insert(rv.at("agency"));
    REQUIRE(t.total_row - t.first_row == with_returns.size());
    std::vector<std::vector<long>> cells;
    std::size_t i = 0;
    for (const auto& agency : with_returns) {  // sorted, as the sheet is
      CHECK(agencies.at(t.first_row + i++, 0).is(agency));
      std::vector<long> row;
      for (const auto& g : f.grades) {
        long n = 0;
        for (const auto& [k, v] : coll) {
          if (std::get<0>(k) == "grade" && std::get<2>(k) == agency && std::get<3>(k) == g)
            n += v;
        }
        row.push_back(n);
      }
      long na = 0;
      for (const auto& [k, v] : coll) {
        if (std::get<0>(k) == "grade" && std::get<2>(k) == agency &&
            std::get<3>(k) == "not_applicable")
          na += v;
      }
      row.push_back(na);
      cells.push_back(row);
    }
    check_against_truth(agencies, t, with_totals(cells));
    check_no_lone_suppression(agencies, t, "c");
    check_percentages(agencies, t, graded, t.total_col + 1);
  }

  // Summary: the grades over every stage, and the headlines against sqlite.
  {
    const auto header = summary.row_of("Stages");
    REQUIRE(header);
    const TableAt t = locate(summary, *header, 1, "Total");
    std::vector<long> row;
    for (const auto& g : f.grades) {
      long n = 0;
      for (const auto& [k, v] : coll) {
        if (std::get<0>(k) == "grade" && std::get<3>(k) == g)
          n += v;
      }
      row.push_back(n);
    }
    check_against_truth(summary, t, with_totals({row}));
    check_no_lone_suppression(summary, t, "c");
    check_percentages(summary, t, graded, t.total_col + 1);
  }
  // The same figure on two sheets is shown, or hidden, alike: the grade totals are the Summary's
  // "All stages" row and the Pathway stages' and Agencies' totals rows; and the Summary's total
  // (graded returns) with the stages' grand total gives away the "Not applicable" total.
  {
    auto known_gap = [](bool ok, const std::string& what) {
      INFO("a figure one sheet hides another shows: " << what);
      CHECK(ok);
    };
    const auto srow = summary.row_of("All stages");
    REQUIRE(srow);
    const auto ptotal = stages.row_of("Total", 1);
    const auto atotal = agencies.row_of("Total", 1);
    REQUIRE((ptotal && atotal));
    for (std::size_t g = 0; g < graded; ++g) {
      const std::string s1 = summary.at(*srow, 1 + g).show(), s2 = stages.at(*ptotal, 2 + g).show(),
                        s3 = agencies.at(*atotal, 2 + g).show();
      known_gap(s1 == s2 && s2 == s3, "the " + f.grades[g] + " total: Summary " + s1 +
                                          ", Pathway stages " + s2 + ", Agencies " + s3);
    }
    const XCell& graded_total = summary.at(*srow, 1 + graded);
    const XCell& grand = stages.at(*ptotal, 2 + graded + 1);
    const XCell& na = stages.at(*ptotal, 2 + graded);
    known_gap(!(graded_total.number && grand.number && !na.number),
              "the not applicable total " + na.show() + " is Pathway stages' grand total " +
                  grand.show() + " less the Summary's graded total " + graded_total.show());
  }

  const std::string sampled_children =
      "SELECT c.child_id FROM sample_cases c JOIN samples s ON s.id = c.sample_id WHERE "
      "s.audit_id = " +
      p.audit();
  check_headline(summary, "Cases sampled",
                 p.sql_count("SELECT count(*) FROM (" + sampled_children + ")"));
  check_headline(summary, "Cases locked after moderation", static_cast<long>(p.case_ids.size()));
  check_headline(summary, "Flags on sampled cases confirmed by auditors", 0);
  // The population: children with an event in the period (the audits have no other scope).
  auto population = [](const std::string& from, const std::string& to) {
    return "SELECT DISTINCT l.child_id FROM event_links l JOIN events e ON e.id = l.event_id "
           "WHERE e.event_date BETWEEN '" +
           from + "' AND '" + to + "'";
  };
  check_headline(
      summary, "Children in the audit's population",
      p.sql_count("SELECT count(*) FROM (" + population("2022-01-01", "2027-12-31") + ")"));
  // A population's flags in a period: those of its children whose first evidence event falls in
  // the period, counted by rule and agency from the stored flags.
  auto flags_in = [&](const std::string& from, const std::string& to) {
    std::map<std::string, std::map<std::string, long>> out;  // rule -> agency -> n
    for (const auto& row :
         p.sql_rows("SELECT f.rule_id, a.code, count(*) FROM flags f JOIN agencies a ON a.id = "
                    "f.agency_id JOIN events e ON e.id = json_extract(f.evidence, '$[0]') WHERE "
                    "f.child_id IN (" +
                    population(from, to) + ") AND e.event_date BETWEEN '" + from + "' AND '" + to +
                    "' GROUP BY 1, 2"))
      out[row[0]][row[1]] = std::stol(row[2]);
    return out;
  };
  auto flag_truth = flags_in("2022-01-01", "2027-12-31");

  // Flags: rule x agency for the population, against sqlite's flags of those children.
  {
    const TableAt t = locate(flags, 0, 2, "Total");
    std::vector<std::vector<long>> cells;
    for (std::size_t r2 = t.first_row; r2 < t.total_row; ++r2) {
      std::vector<long> row;
      for (const auto& code : codes)
        row.push_back(flag_truth[flags.at(r2, 0).text][code]);
      cells.push_back(row);
    }
    REQUIRE(cells.size() >= 10);
    const Grid truth = with_totals(cells);
    check_against_truth(flags, t, truth);
    check_no_lone_suppression(flags, t, "c");
    // The headline is the table's own grand total, shown or hidden alike.
    const auto h = summary.row_of("Flags raised for the population in the period");
    REQUIRE(h);
    CHECK(summary.at(*h, 1).show() == flags.at(t.total_row, t.total_col).show());
    CHECK(truth.back().back() > 5);

    // The earlier audit's totals, from its own population and period: shown ones exact, small
    // ones hidden; a change only between two shown totals, and then their difference.
    auto before = flags_in("2022-01-01", "2023-12-31");
    const std::size_t prev_col = t.total_col + 1;
    for (std::size_t r2 = t.first_row; r2 < t.total_row; ++r2) {
      long n = 0;
      for (const auto& [agency, k] : before[flags.at(r2, 0).text])
        n += k;
      const XCell& cell = flags.at(r2, prev_col);
      INFO("previous total of " << flags.at(r2, 0).text << ": " << cell.show() << ", true " << n);
      if (n >= 1 && n <= 5)
        CHECK(cell.is("c"));
      else if (n == 0)
        CHECK((cell.number && cell.value == 0));
      else
        CHECK(((cell.number && cell.value == static_cast<double>(n)) || cell.is("c")));
      const XCell& now = flags.at(r2, t.total_col);
      const XCell& change = flags.at(r2, prev_col + 1);
      if (now.number && cell.number)
        CHECK((change.number && change.value == now.value - cell.value));
      else
        CHECK(!change.present);
    }
    CHECK(flags.row_of("Previous audit: 1: Earlier audit (2022-01-01 to 2023-12-31)"));
  }

  // Timeliness: on time, late and checks per timescale rule. Late is the Flags sheet's row total
  // for the rule, the very same cell; no row has exactly one of its three hidden, and what is
  // shown adds up.
  {
    REQUIRE(timeliness.rows.size() > 2);
    for (std::size_t r2 = 1; r2 < timeliness.rows.size(); ++r2) {
      const std::string rule = timeliness.at(r2, 0).text;
      INFO("timeliness of " << rule);
      const auto on_flags = flags.row_of(rule);
      REQUIRE(on_flags);
      const auto fh = flags.texts(0);
      const std::size_t total_col =
          static_cast<std::size_t>(std::find(fh.begin(), fh.end(), "Total") - fh.begin());
      const XCell &on_time = timeliness.at(r2, 2), &late = timeliness.at(r2, 3),
                  &checks = timeliness.at(r2, 4), &pct = timeliness.at(r2, 5);
      CHECK(late.show() == flags.at(*on_flags, total_col).show());
      int hidden = 0;
      for (const XCell* c : {&on_time, &late, &checks}) {
        CHECK((c->number || c->is("c")));
        hidden += c->is("c") ? 1 : 0;
      }
      CHECK(hidden != 1);
      if (on_time.number && late.number && checks.number)
        CHECK(on_time.value + late.value == checks.value);
      if (on_time.number && checks.number && checks.value > 0)
        CHECK((pct.number && std::fabs(pct.value - 100.0 * on_time.value / checks.value) < 1e-9));
      else
        CHECK(!pct.present);
    }
  }

  // Actions: owner x status against the collation and the actions the test wrote; overdue apart.
  {
    const TableAt t = locate(actions, 0, 1, "Total");
    std::map<std::string, std::map<std::string, long>> written;
    std::map<std::string, long> overdue;
    const std::string today = today_utc();
    for (const auto& a : p.actions) {
      ++written[a.owner][a.status];
      overdue[a.owner] += a.due < today && a.status != "done" && a.status != "cancelled" ? 1 : 0;
    }
    REQUIRE(t.total_row - t.first_row == written.size());
    std::vector<std::vector<long>> cells;
    std::size_t i = 0;
    for (const auto& [owner, by_status] : written) {
      const std::size_t row = t.first_row + i++;
      CHECK(actions.at(row, 0).is(owner));
      std::vector<long> counts;
      for (const auto& s : kStatuses) {
        const long n = by_status.count(s) ? by_status.at(s) : 0;
        const auto it = coll.find({"action", "", owner, s});
        CHECK((it == coll.end() ? 0 : it->second) == n);
        counts.push_back(n);
      }
      cells.push_back(counts);
      CHECK(coll.at({"action", "", owner, "overdue"}) == overdue[owner]);
      const XCell& o = actions.at(row, t.total_col + 1);
      INFO(owner << " overdue: " << o.show() << ", true " << overdue[owner]);
      if (overdue[owner] >= 1 && overdue[owner] <= 5)
        CHECK(o.is("c"));
      else
        CHECK((o.number && o.value == static_cast<double>(overdue[owner])));
    }
    check_against_truth(actions, t, with_totals(cells));
    check_no_lone_suppression(actions, t, "c");
    // Counted only: a list of the actions below the table would give away what it hides.
    CHECK(actions.rows.size() == t.total_row + 1);
  }

  // No visible count from 1 to 5 anywhere (percentages are shares, not counts; Change is the
  // difference of two totals that are both shown), and none in any chart's cache.
  for (const XSheet& s : book.sheets) {
    std::optional<std::size_t> change_col;
    if (s.name == "Flags") {
      const auto h = s.texts(0);
      change_col = static_cast<std::size_t>(std::find(h.begin(), h.end(), "Change") - h.begin());
    }
    for (std::size_t r2 = 0; r2 < s.rows.size(); ++r2) {
      for (std::size_t c = 0; c < s.rows[r2].size(); ++c) {
        const XCell& cell = s.rows[r2][c];
        if (!cell.number || cell.format == "0.0" || (change_col && c == *change_col && r2 > 0))
          continue;
        INFO(s.name << " row " << r2 + 1 << " column " << c + 1 << ": " << cell.show());
        CHECK(!(cell.value >= 1 && cell.value <= 5));
      }
    }
  }
  REQUIRE(book.chart_numbers.size() > 20);
  for (const auto& v : book.chart_values) {
    const auto n = as_number(v);
    INFO("chart cache value " << v);
    CHECK(!(n && std::floor(*n) == *n && *n >= 1 && *n <= 5));
  }
  CHECK(book.formulas == 0);

  // Nothing that identifies a child, no case wording, and only the learning marked board-safe.
  const auto forbidden = forbidden_in_board(p);
  check_nothing_identifying(book, forbidden);
  CHECK(learning.at(1, 0).text == kBoardSafe);
  CHECK(!learning.at(2, 0).present);
  CHECK(book.all_xml().find(kBoardSafe) != std::string::npos);

  // The audit log: the export with the file's SHA-256, then its delivery; the chain verifies.
  {
    const std::string sha = sha256_of(board);
    const std::string outcome =
        p.sql("SELECT outcome FROM audit_log WHERE action = 'export.board' AND object = 'export:" +
              board_manifest + "'");
    CHECK_THAT(outcome, Catch::StartsWith("ok: audit " + p.audit() + ", profile dfe"));
    CHECK_THAT(outcome, Catch::Contains("sha256 " + sha));
    CHECK(p.sql("SELECT actor FROM audit_log WHERE action = 'export.board' AND object = 'export:" +
                board_manifest + "'")
              .rfind("user:qa", 0) == 0);
    CHECK(p.sql("SELECT sha256 FROM exports WHERE id = " + board_manifest) == sha + "\n");
    CHECK(p.sql("SELECT count(*) FROM audit_log WHERE action = 'export.deliver' AND object = "
                "'export:" +
                board_manifest + "' AND outcome LIKE '%" + sha + "%'") == "1\n");
    for (const auto& [kind, file, id] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"detail", detail, detail_manifest}, {"csv", csv, csv_manifest}}) {
      CHECK_THAT(p.sql("SELECT outcome FROM audit_log WHERE action = 'export." + kind +
                       "' AND object = 'export:" + id + "'"),
                 Catch::Contains("sha256 " + sha256_of(file)));
    }
    // The reason is kept sealed, never in clear.
    CHECK(p.sql("SELECT count(*) FROM exports WHERE reason_sealed IS NOT NULL") == "4\n");
    auto v = p.cli({"verify-log"});
    INFO(v.out << v.err);
    CHECK(v.status == 0);
  }

  // ---- The board workbook under the NHS profile -----------------------------------------------
  {
    const XBook n = read_workbook(nhs);
    CHECK(n.names() == kBoardSheets);
    CHECK(cover_value(n.sheet("Cover"), "Disclosure control").rfind("nhs: ", 0) == 0);
    bool starred = false;
    for (const XSheet& s : n.sheets) {
      for (std::size_t r2 = 0; r2 < s.rows.size(); ++r2) {
        for (std::size_t c = 0; c < s.rows[r2].size(); ++c) {
          const XCell& cell = s.rows[r2][c];
          starred = starred || cell.is("*");
          if (!cell.number || cell.format != "#,##0")
            continue;
          if (s.name == "Flags" && s.at(0, c).is("Change"))
            continue;
          INFO(s.name << " row " << r2 + 1 << " column " << c + 1 << ": " << cell.show());
          CHECK(cell.integer());
          CHECK(std::fmod(cell.value, 5.0) == 0);
          CHECK(!(cell.value >= 1 && cell.value <= 7));
        }
      }
    }
    CHECK(starred);
    REQUIRE(!n.chart_numbers.empty());
    for (const auto& v : n.chart_numbers) {
      const auto x = as_number(v);
      INFO("chart cache value " << v);
      CHECK(!(x && (std::fmod(*x, 5.0) != 0 || (*x >= 1 && *x <= 7))));
    }
    check_nothing_identifying(n, forbidden);
  }

  // ---- The QA detail workbook -----------------------------------------------------------------
  std::vector<std::string> returns_header{"audit",          "case",        "child_key", "review",
                                          "agency",         "slot",        "auditor",   "state",
                                          "times_returned", "submitted_at"};
  for (const auto& st : f.stages)
    returns_header.push_back("grade " + st);
  returns_header.insert(returns_header.end(), {"grades_moderated_differently", "flags_open",
                                               "flags_confirmed", "flags_dismissed", "actions"});
  {
    const XBook d = read_workbook(detail);
    CHECK(d.names() == std::vector<std::string>{"Cases", "Returns", "Flags", "Actions"});
    std::vector<std::string> cases_header{
        "case",    "child_key", "state",         "qa_lead",
        "held_on", "attendees", "learning_tags", "learning_board_safe"};
    for (const auto& st : f.stages)
      cases_header.push_back("agreed " + st);
    const XSheet& cases = d.sheet("Cases");
    CHECK(cases.texts(0) == cases_header);
    REQUIRE(cases.rows.size() == 1 + p.case_ids.size());
    for (std::size_t i = 0; i < p.case_ids.size(); ++i) {
      CHECK(cases.at(1 + i, 0).text == p.case_ids[i]);
      CHECK(cases.at(1 + i, 2).text == "locked");
      CHECK(cases.at(1 + i, 7).text == (i == 0 ? "yes" : "no"));
    }
    const XSheet& returns = d.sheet("Returns");
    CHECK(returns.texts(0) == returns_header);
    REQUIRE(returns.rows.size() == 1 + all_reviews.size());
    std::map<std::string, Row> by_id;
    for (const auto& rv : all_reviews)
      by_id[rv.at("id")] = rv;
    std::set<std::string> seen;
    for (std::size_t r2 = 1; r2 < returns.rows.size(); ++r2) {
      const std::string id = returns.at(r2, 3).text;
      seen.insert(id);
      REQUIRE(by_id.count(id));
      const Row& rv = by_id.at(id);
      CHECK(returns.at(r2, 1).text == rv.at("case"));
      CHECK(returns.at(r2, 2).text == rv.at("child_key"));
      CHECK(returns.at(r2, 4).text == rv.at("agency"));
      CHECK(returns.at(r2, 6).text == rv.at("auditor"));
      CHECK(returns.at(r2, 7).text == "locked");
      CHECK(returns.at(r2, 8).text == (id == p.returned_review ? "1" : "0"));
      for (std::size_t s = 0; s < f.stages.size(); ++s) {
        INFO("review " << id << " stage " << f.stages[s]);
        const auto& g = p.return_grades.at(id);
        CHECK(returns.at(r2, 10 + s).text == (g.count(f.stages[s]) ? g.at(f.stages[s]) : ""));
      }
      const int changed = p.moderated_differently.count(id) ? p.moderated_differently.at(id) : 0;
      CHECK(returns.at(r2, 10 + f.stages.size()).text == std::to_string(changed));
    }
    CHECK(seen.size() == all_reviews.size());
    const XSheet& dflags = d.sheet("Flags");
    CHECK(dflags.texts(0) == std::vector<std::string>{"flag", "rule", "severity", "status",
                                                      "agency", "child_key", "detail"});
    CHECK(static_cast<long>(dflags.rows.size()) - 1 ==
          p.sql_count("SELECT count(*) FROM flags WHERE child_id IN (" + sampled_children + ")"));
    const XSheet& dactions = d.sheet("Actions");
    CHECK(dactions.texts(0) == std::vector<std::string>{"action", "case", "child_key", "owner",
                                                        "due", "status", "overdue", "description",
                                                        "created_by", "updated_at"});
    REQUIRE(dactions.rows.size() == 1 + p.actions.size());
    // Wording that starts like a formula arrives as text, word for word, never as a formula.
    std::set<std::string> descriptions;
    for (std::size_t r2 = 1; r2 < dactions.rows.size(); ++r2) {
      const XCell& cell = dactions.at(r2, 7);
      CHECK(cell.type == "s");
      descriptions.insert(cell.text);
    }
    std::set<std::string> expected;
    for (const auto& a : p.actions)
      expected.insert(a.description);
    CHECK(descriptions == expected);
    CHECK(d.formulas == 0);
    const std::string sheet4 = d.parts.at("xl/worksheets/sheet4.xml");
    CHECK(sheet4.find("<f>") == std::string::npos);
  }

  // ---- The detail CSV -------------------------------------------------------------------------
  {
    const std::string text = read_file(csv);
    const auto rows = parse_csv_rows(text);
    REQUIRE(rows.size() == 1 + all_reviews.size());
    CHECK(rows[0] == returns_header);
    std::map<std::string, Row> by_id;
    for (const auto& rv : all_reviews)
      by_id[rv.at("id")] = rv;
    bool renamed = false;
    for (std::size_t r2 = 1; r2 < rows.size(); ++r2) {
      REQUIRE(rows[r2].size() == returns_header.size());
      const Row& rv = by_id.at(rows[r2][3]);
      // An agency code that starts like a formula is neutralised with a leading quote.
      if (rv.at("agency") == "-CSC") {
        CHECK(rows[r2][4] == "'-CSC");
        renamed = true;
      } else {
        CHECK(rows[r2][4] == rv.at("agency"));
      }
      CHECK(rows[r2][2] == rv.at("child_key"));
      for (const auto& field : rows[r2]) {
        INFO("review " << rows[r2][3] << ": " << field);
        CHECK((field.empty() || std::string("=+-@\t\r").find(field[0]) == std::string::npos));
      }
      for (std::size_t s = 0; s < f.stages.size(); ++s) {
        const auto& g = p.return_grades.at(rows[r2][3]);
        CHECK(rows[r2][10 + s] == (g.count(f.stages[s]) ? g.at(f.stages[s]) : ""));
      }
    }
    CHECK(renamed);
    CHECK(text.find("\r\n") != std::string::npos);
  }

  // ---- LibreOffice opens the board workbook and prints it to PDF ------------------------------
  {
    INFO("LibreOffice is installed by scripts/install-deps (libreoffice-calc)");
    REQUIRE(std::filesystem::exists("/usr/bin/libreoffice"));
    TempDir lo;
    const std::string out = lo / "pdf";
    std::filesystem::create_directories(out);
    const auto c = run({"/usr/bin/libreoffice", "-env:UserInstallation=file://" + lo.path() + "/lo",
                        "--headless", "--norestore", "--convert-to", "pdf", "--outdir", out, board},
                       {"HOME=" + lo.path()});
    INFO(c.out << c.err);
    CHECK(c.status == 0);
    const std::string pdf = read_file(out + "/board.pdf");
    REQUIRE(pdf.size() > 1000);
    CHECK(pdf.rfind("%PDF-", 0) == 0);
    std::size_t pages = 0;
    for (std::size_t at = pdf.find("/Type/Page"); at != std::string::npos;
         at = pdf.find("/Type/Page", at + 1))
      pages += pdf.compare(at, 11, "/Type/Pages") == 0 ? 0 : 1;
    CHECK(pages >= kBoardSheets.size());
  }
}

TEST_CASE("exports: detail and CSV for QA leads only, a reason always, never over a file",
          "[exports]") {
  Partnership p(/*reviews=*/false);
  const auto none = [&] { return p.sql("SELECT count(*) FROM exports") == "0\n"; };

  // Detail exports are case data: refused to auditors and board members; so is the board
  // workbook to auditors. Nothing is written or recorded.
  for (const char* who : {"csc.auditor", "board"}) {
    for (const char* kind : {"detail", "csv"}) {
      const std::string out = p.path(std::string(who) + "." + kind);
      auto r = p.as(who, {"export", kind, "--audit", p.audit(), "--reason", kReason, "-o", out});
      INFO(who << " " << kind << ": " << r.err);
      CHECK(r.status == 1);
      CHECK_THAT(r.err, Catch::Contains("is for QA leads"));
      CHECK(!std::filesystem::exists(out));
    }
  }
  {
    const std::string out = p.path("auditor-board.xlsx");
    auto r = p.as("csc.auditor",
                  {"export", "board", "--audit", p.audit(), "--reason", kReason, "-o", out});
    CHECK(r.status == 1);
    CHECK(!std::filesystem::exists(out));
  }
  CHECK(none());

  // Every export needs a reason: missing is a usage error, blank is bad input.
  {
    const std::string out = p.path("no-reason.xlsx");
    auto r = p.as("qa", {"export", "board", "--audit", p.audit(), "-o", out});
    CHECK(r.status == 64);
    CHECK_THAT(r.err, Catch::Contains("--reason"));
    r = p.as("qa", {"export", "csv", "--audit", p.audit(), "-o", out});
    CHECK(r.status == 64);
    r = p.as("qa", {"export", "board", "--audit", p.audit(), "--reason", "   ", "-o", out});
    CHECK(r.status == 65);
    CHECK(!std::filesystem::exists(out));
    CHECK(none());
  }

  // An existing file is never overwritten, whatever the kind.
  for (const char* kind : {"board", "detail", "csv"}) {
    const std::string out = p.path(std::string("existing-") + kind);
    const std::string before = "A file that was here first.\n";
    write_file(out, before);
    auto r = p.as("qa", {"export", kind, "--audit", p.audit(), "--reason", kReason, "-o", out});
    INFO(kind << ": " << r.err);
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains("never overwrites"));
    CHECK(read_file(out) == before);
  }

  // The board workbook of an audit with nothing reviewed yet still opens, and says so.
  {
    const std::string out = p.path("empty-board.xlsx");
    auto r = p.as("qa", {"export", "board", "--audit", p.audit(), "--reason", kReason, "-o", out});
    INFO(r.err);
    REQUIRE(r.status == 0);
    const XBook b = read_workbook(out);
    CHECK(b.names() == kBoardSheets);
    CHECK(b.sheet("Learning").at(1, 0).text ==
          "No learning from this audit has been marked board-safe yet.");
  }

  // A file that could not be delivered waits under its manifest: a board member collects the
  // board workbook with `export fetch`, exactly as made and only once; a waiting detail export
  // is not theirs, and an auditor is told neither exists.
  {
    const auto waiting = [&](const char* kind) {
      const std::string out = p.path(std::string("no-such-folder/") + kind);
      auto r = p.as("qa", {"export", kind, "--audit", p.audit(), "--reason", kReason, "-o", out});
      INFO(r.err);
      CHECK(r.status != 0);
      CHECK_THAT(r.err, Catch::Contains("was made but not delivered"));
      return trim(p.sql(std::string("SELECT max(id) FROM exports WHERE kind = '") + kind +
                        "' AND delivered_at IS NULL AND file IS NOT NULL"));
    };
    const std::string board_id = waiting("board"), detail_id = waiting("detail");
    REQUIRE(!board_id.empty());
    REQUIRE(!detail_id.empty());
    const std::string got = p.path("fetched-board.xlsx");
    auto r = p.as("csc.auditor", {"export", "fetch", board_id, "-o", got});
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains("no export " + board_id + " waiting"));
    CHECK(!std::filesystem::exists(got));
    r = p.as("board", {"export", "fetch", detail_id, "-o", p.path("fetched-detail.xlsx")});
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains("no export " + detail_id + " waiting"));
    CHECK(!std::filesystem::exists(p.path("fetched-detail.xlsx")));
    r = p.as("board", {"export", "fetch", board_id, "-o", got});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(sha256_of(got) == trim(p.sql("SELECT sha256 FROM exports WHERE id = " + board_id)));
    CHECK(read_workbook(got).names() == kBoardSheets);
    CHECK(p.sql_count("SELECT count(*) FROM audit_log WHERE action = 'export.deliver' AND object "
                      "= 'export:" +
                      board_id + "' AND actor LIKE 'user:board%'") == 1);
    CHECK(p.sql("SELECT file IS NULL AND delivered_at IS NOT NULL FROM exports WHERE id = " +
                board_id) == "1\n");
    r = p.as("board", {"export", "fetch", board_id, "-o", p.path("again.xlsx")});
    CHECK(r.status != 0);
    CHECK(!std::filesystem::exists(p.path("again.xlsx")));
    // The detail export is still waiting for a QA lead.
    r = p.as("qa", {"export", "fetch", detail_id, "-o", p.path("fetched-detail.xlsx")});
    INFO(r.err);
    CHECK(r.status == 0);
  }
  CHECK(p.cli({"verify-log"}).status == 0);
}
