// Route: POST /api/v1/imports, agency extracts uploaded as text/csv (one file, named by ?name=) or
// multipart/form-data (one or more files, named by their filename parameters). The body is
// streamed (BodyPolicy::streamed) into memory, never to disk (the extracts hold raw
// identifiers), within the route's body limit, and handed to service::import_files as one
// all-or-nothing import under the names the client gave.
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>

#include <memory>
#include <set>

#include "core/errors.h"
#include "http/api_support.h"
#include "http/problem.h"
#include "service/import.h"
#include "service/principal.h"
#include "service/settings.h"

namespace pathaudit::http {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::int64_t kDefaultImportMaxBytes = 64LL << 20;

// A plain file name: what error lines and the audit log call the file. Never echoed when refused.
void check_file_name(const std::string& name, const std::string& what) {
  bool ok = !name.empty() && name.size() <= 255 && name != "." && name != ".." && name[0] != '.';
  for (const unsigned char ch : name)
    ok = ok && ch >= 0x20 && ch != 0x7f && ch != '/' && ch != '\\' && ch != ':';
  if (!ok) {
    throw core::ValidationError(what +
                                ": expected a plain file name (no directory, no ':', not starting "
                                "with '.'), e.g. events-CSC.csv");
  }
}

// The uploads of one request, in memory: extracts hold raw identifiers, which must never be
// written to disk (not even to a temporary file a crash would leave behind). The route's body
// limit bounds what one request holds.
class Uploads {
 public:
  // Reads `in` to its end as the upload called `name` (checked, and unique here). `expected`: the
  // bytes `in` must give, when known (-1: read to its end).
  void add(const std::string& name, std::istream& in, const std::string& what,
           std::int64_t expected = -1) {
    check_file_name(name, what);
    if (!names_.insert(name).second)
      throw core::ValidationError(what + ": two files have the same name");
    auto bytes = std::make_unique<std::string>();
    if (expected > 0)
      bytes->reserve(static_cast<std::size_t>(expected));
    Poco::StreamCopier::copyToString64(in, *bytes);
    // A read that failed (timeout, connection lost) ends the copy early: a file cut short must
    // not be imported as if it were whole.
    if (in.bad() || (expected >= 0 && static_cast<std::int64_t>(bytes->size()) != expected))
      throw core::ValidationError("the upload ended before the whole body arrived");
    contents_.push_back(bytes.get());
    held_.push_back(std::move(bytes));
    order_.push_back(name);
  }
  const std::vector<std::string>& names() const { return order_; }
  const std::vector<const std::string*>& contents() const { return contents_; }

 private:
  std::vector<std::unique_ptr<std::string>> held_;  // stable addresses for contents_
  std::vector<const std::string*> contents_;
  std::vector<std::string> order_;
  std::set<std::string> names_;
};

// Each file part of a multipart body is read into the uploads as it arrives.
class FilesToUploads : public Poco::Net::PartHandler {
 public:
  explicit FilesToUploads(Uploads& dir) : dir_(dir) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    ++parts_;
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                              params);
    dir_.add(params.get("filename", ""), stream,
             "multipart part " + std::to_string(parts_) + " filename");
  }

 private:
  Uploads& dir_;
  int parts_ = 0;
};

Object::Ptr import_json(const service::ImportResult& r) {
  Object::Ptr o = new Object;
  o->set("import_id", r.import_id);
  Array::Ptr files = new Array;
  for (const auto& f : r.files) {
    Object::Ptr row = new Object;
    row->set("file", f.file);
    row->set("sha256", f.sha256);
    row->set("rows", f.rows);
    row->set("inserted", f.inserted);
    row->set("updated", f.updated);
    files->add(row);
  }
  o->set("files", files);
  o->set("inserted", r.inserted);
  o->set("updated", r.updated);
  o->set("children", r.children);
  o->set("links_changed", r.links_changed);
  Object::Ptr flags = new Object;
  flags->set("rule_set", r.flags.rule_set);
  Object::Ptr by_rule = new Object;
  for (const auto& [rule, n] : r.flags.by_rule)
    by_rule->set(rule, n);
  flags->set("by_rule", by_rule);
  flags->set("new", r.flags.sync.inserted);
  flags->set("unchanged", r.flags.sync.kept);
  flags->set("withdrawn", r.flags.sync.removed);
  flags->set("withdrawn_reviewed", r.flags.sync.removed_reviewed);
  flags->set("data_up_to",
             r.flags.horizon ? Poco::Dynamic::Var(r.flags.horizon->iso()) : Poco::Dynamic::Var());
  o->set("flags", flags);
  return o;
}

Response import_extracts(service::Context& ctx, Request& req) {
  // The service checks the role again; asking first means no other role's body is read into
  // memory at all.
  service::require_qa(req.principal(), "importing agency extracts");
  const bool csv = req.content_type == "text/csv";
  if (!csv && req.content_type != "multipart/form-data") {
    throw HttpError(415, "unsupported-media-type", "Send CSV or multipart/form-data",
                    "send one extract as Content-Type: text/csv with ?name=, or several as "
                    "multipart/form-data");
  }
  if (!req.body_stream)
    throw core::ValidationError("the request body is empty: send at least one CSV file");
  const std::string ignore = req.query_string("ignore_unknown_columns");
  if (!ignore.empty() && ignore != "true" && ignore != "false")
    throw core::ValidationError("query parameter ignore_unknown_columns: expected true or false");

  Uploads dir;
  if (csv) {
    if (!req.query.count("name"))
      throw core::ValidationError("query parameter name: required with text/csv (the file name)");
    dir.add(req.query_string("name"), *req.body_stream, "query parameter name", req.body_length);
  } else {
    Poco::Net::HTTPRequest headers(Poco::Net::HTTPRequest::HTTP_POST, req.path);
    headers.setContentType(req.content_type_header);
    FilesToUploads handler(dir);
    try {
      Poco::Net::HTMLForm form;
      form.load(headers, *req.body_stream, handler);
      if (!form.empty())
        throw core::ValidationError(
            "every multipart part must be a file (Content-Disposition with a filename)");
    } catch (const Poco::Exception&) {
      throw core::ValidationError(
          "the multipart/form-data body cannot be read (check its boundary and parts)");
    }
    if (dir.names().empty())
      throw core::ValidationError("the multipart body has no file parts: send at least one CSV");
  }
  service::ImportOptions options;
  options.ignore_unknown_columns = ignore == "true";
  options.names = dir.names();
  options.contents = dir.contents();
  const auto result = service::import_files(ctx, req.principal(), dir.names(), options);
  return Response::json(*import_json(result), 201);
}

}  // namespace

void add_import_routes(Router& router, service::Context& ctx) {
  service::Context* c = &ctx;
  BodyPolicy body;
  body.streamed = true;
  body.max_bytes = static_cast<std::size_t>(service::setting_int(
      ctx.settings(), "http_import_max_bytes", kDefaultImportMaxBytes, 1, 1LL << 40));
  router.add(
      "POST", "/api/v1/imports", Access::kSession,
      [c](Request& r) { return import_extracts(*c, r); }, body);
}

}  // namespace pathaudit::http
