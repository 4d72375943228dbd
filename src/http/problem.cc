#include "http/problem.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <typeinfo>

#include "core/errors.h"
#include "service/import.h"
#include "service/input_error.h"
#include "service/json_text.h"
#include "service/reviews.h"
#include "service/templates.h"

namespace pathaudit::http {
namespace {

Problem make(int status, const std::string& slug, const std::string& title,
             const std::string& detail) {
  Problem p;
  p.status = status;
  p.type = kProblemTypePrefix + slug;
  p.title = title;
  p.detail = detail;
  return p;
}

}  // namespace

std::string Problem::to_json() const {
  Poco::JSON::Object o;
  o.set("type", type);
  o.set("title", title);
  o.set("status", status);
  o.set("detail", detail);
  if (!errors.empty()) {
    Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
    for (const auto& e : errors)
      a->add(e);
    o.set("errors", a);
  }
  return service::json_text(o);
}

Problem problem_for(std::exception_ptr error, InputsIn inputs) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const HttpError& e) {
      Problem p = make(e.status(), e.slug(), e.title(), e.what());
      p.log_text = e.slug();
      return p;
    } catch (const service::ReviewInputRejected& e) {
      Problem p = make(400, "validation", "The request does not meet the contract", e.what());
      p.errors = e.lines();
      p.log_text = "validation";
      return p;
    } catch (const service::TemplateRejected& e) {
      Problem p = make(400, "validation", "The request does not meet the contract", e.what());
      p.errors = e.lines();
      p.log_text = "validation";
      return p;
    } catch (const service::ImportRejected& e) {
      // The CLI's lines, one per error; the detail is the summary line that heads them there.
      const std::string what = e.what();
      Problem p = make(400, "validation", "The request does not meet the contract",
                       what.substr(0, what.find('\n')));
      p.errors = e.lines();
      if (e.total() > e.lines().size())
        p.errors.push_back("... and " + std::to_string(e.total() - e.lines().size()) +
                           " more errors");
      p.log_text = "validation";
      return p;
    } catch (const service::InputError& e) {
      const std::string where = inputs == InputsIn::kBody ? "request body: $." + e.input()
                                                          : "query parameter " + e.input();
      Problem p = make(400, "validation", "The request does not meet the contract",
                       where + ": " + e.what());
      p.log_text = "validation";
      return p;
    } catch (const core::ValidationError& e) {
      Problem p = make(400, "validation", "The request does not meet the contract", e.what());
      p.log_text = "validation";
      return p;
    } catch (const core::UnauthenticatedError& e) {
      Problem p = make(401, "unauthenticated", "Sign in first", e.what());
      p.log_text = "unauthenticated";
      return p;
    } catch (const core::ForbiddenError& e) {
      Problem p = make(403, "forbidden", "Your role does not allow this", e.what());
      p.log_text = "forbidden";
      return p;
    } catch (const core::NotFoundError& e) {
      Problem p = make(404, "not-found", "Not found", e.what());
      p.log_text = "not-found";
      return p;
    } catch (const core::ConflictError& e) {
      Problem p = make(409, "conflict", "The current state does not allow this", e.what());
      p.log_text = "conflict";
      return p;
    } catch (const core::CryptoError& e) {
      // Already recorded in the audit log by the service; the client learns nothing of it.
      Problem p =
          make(500, "internal", "Internal error", "the server could not complete the request");
      p.log_text = std::string("crypto error: ") + e.what();
      return p;
    } catch (const core::Error& e) {
      Problem p =
          make(500, "internal", "Internal error", "the server could not complete the request");
      p.log_text = std::string("error: ") + e.what();
      return p;
    } catch (const Poco::Exception& e) {
      // Poco messages can quote SQL (never bound values) or socket details: log the class only.
      Problem p =
          make(500, "internal", "Internal error", "the server could not complete the request");
      p.log_text = std::string("Poco ") + e.className();
      return p;
    } catch (const std::exception& e) {
      Problem p =
          make(500, "internal", "Internal error", "the server could not complete the request");
      p.log_text = std::string("exception ") + typeid(e).name();
      return p;
    } catch (...) {
      Problem p =
          make(500, "internal", "Internal error", "the server could not complete the request");
      p.log_text = "unknown exception";
      return p;
    }
  } catch (...) {
    Problem p;
    p.type = std::string(kProblemTypePrefix) + "internal";
    p.title = "Internal error";
    p.detail = "the server could not complete the request";
    p.log_text = "failure while mapping an error";
    return p;
  }
}

}  // namespace pathaudit::http
