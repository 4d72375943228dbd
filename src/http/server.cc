#include "http/server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <mutex>

#include "core/errors.h"
#include "http/problem.h"

namespace pathaudit::http {
namespace {

constexpr const char* kSessionCookie = "pathaudit_session";

// Mozilla's "intermediate" TLS 1.2 suites: forward secret AEAD only. TLS 1.3 suites are OpenSSL's
// defaults, all of which are modern.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

bool is_write(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  Poco::trimInPlace(t);
  Poco::toLowerInPlace(t);
  return t;
}

class Pipeline : public Poco::Net::HTTPRequestHandler {
 public:
  Pipeline(const ServerOptions& options, const Router& router, service::Context& ctx,
           const service::SessionPolicy& policy, ServerMetrics& metrics,
           const std::unique_ptr<Poco::Net::HTTPServer>& server)
      : options_(options),
        router_(router),
        ctx_(ctx),
        policy_(policy),
        metrics_(metrics),
        server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& raw,
                     Poco::Net::HTTPServerResponse& out) override {
    const Poco::Timestamp started;
    ++metrics_.in_flight;
    Request req;
    req.method = raw.getMethod();
    req.route = "(no route)";
    req.tls = options_.tls;
    Response res;
    bool close = false;
    try {
      res = run(raw, req, close);
    } catch (...) {
      const bool has_body = req.method != "GET" && req.method != "HEAD" && req.method != "DELETE";
      const Problem p =
          problem_for(std::current_exception(), has_body ? InputsIn::kBody : InputsIn::kQuery);
      res.status = p.status;
      res.content_type = "application/problem+json";
      res.body = p.to_json();
      if (p.status >= 500)
        log_line("error in " + req.method + " " + req.route + ": " + p.log_text);
    }
    bool sent = false;
    if (req.body_stream) {
      // A streamed body the handler did not finish (a refusal before or during the upload):
      // read the rest, within the route's limit, so closing the connection does not make TCP
      // reset it before the client has read the answer.
      try {
        req.body_stream->clear();
        req.body_stream->ignore(std::numeric_limits<std::streamsize>::max());
      } catch (...) {
      }
    }
    // Poco serves a keep-alive connection on one thread until it closes, so with more busy
    // clients than threads the others wait, unserved, until a connection ends (after 1000
    // requests): minutes under load (tests/soak). While connections wait for a thread, each
    // answer closes its connection, so the thread takes the next one and clients are served in
    // turn; the client reconnects, at the cost of a TLS handshake.
    if (!close && server_ && server_->queuedConnections() > 0)
      close = true;
    try {
      send(out, res, close);
      sent = true;
    } catch (...) {
      // The client went away; nothing to tell it.
    }
    if (sent && res.on_sent) {
      try {
        res.on_sent();
      } catch (...) {
        const Problem p = problem_for(std::current_exception());
        log_line("error after " + req.method + " " + req.route + " was sent: " + p.log_text);
      }
    }
    --metrics_.in_flight;
    const int cls = std::clamp(res.status / 100, 1, 5);
    ++metrics_.by_class[cls];
    log_line(req.method + " " + req.route + " " + std::to_string(res.status) + " " +
             std::to_string(started.elapsed() / 1000) + " ms");
  }

 private:
  Response run(Poco::Net::HTTPServerRequest& raw, Request& req, bool& close) {
    Poco::URI uri;
    try {
      uri = Poco::URI(raw.getURI());
      req.path = uri.getPath();
      for (auto& [k, v] : uri.getQueryParameters())
        req.query[k] = v;
    } catch (const Poco::SyntaxException&) {
      throw core::ValidationError("the request target is not a valid URI");
    }

    // The route first (it needs only the method and path), for its body limit; a miss is
    // answered after the limits, as before, so an unread body still closes the connection.
    const Router::Match m = router_.match(req.method, req.path);
    const BodyPolicy body = m.route ? m.route->body : BodyPolicy{};
    const std::size_t max_body = body.max_bytes ? body.max_bytes : options_.max_body_bytes;

    // Limits before anything reads the body: an unread body would be taken for the next request,
    // so these answers also close the connection.
    if (raw.getChunkedTransferEncoding()) {
      close = true;
      // Read (and drop) what the client sends, up to the body limit: closing a socket with unread
      // data makes TCP reset the connection, and the client would lose the 411 answer.
      try {
        raw.stream().ignore(static_cast<std::streamsize>(options_.max_body_bytes));
      } catch (const Poco::Exception&) {
      }
      throw HttpError(411, "length-required", "Send a Content-Length",
                      "chunked request bodies are not accepted; send Content-Length");
    }
    const bool has_length = raw.hasContentLength();
    const bool may_have_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (may_have_body && !has_length) {
      close = true;
      throw HttpError(411, "length-required", "Send a Content-Length",
                      "POST, PUT and PATCH must send Content-Length (0 when the body is empty)");
    }
    const auto length = has_length ? raw.getContentLength64() : 0;
    if (length < 0 || static_cast<std::uint64_t>(length) > max_body) {
      close = true;
      throw HttpError(413, "payload-too-large", "The request body is too large",
                      "request bodies here are limited to " + std::to_string(max_body) + " bytes");
    }
    if (length > 0 && m.route && body.streamed) {
      // The handler reads it; whatever it leaves unread must not become the next request.
      close = true;
      req.body_stream = &raw.stream();
      req.body_length = length;
    } else if (length > 0) {
      req.body.resize(static_cast<std::size_t>(length));
      raw.stream().read(req.body.data(), length);
      if (raw.stream().gcount() != length) {
        close = true;
        throw core::ValidationError("the request body is shorter than its Content-Length");
      }
    }
    req.content_type_header = raw.getContentType();
    req.content_type = media_type(req.content_type_header);

    if (!m.route) {
      if (m.allowed.empty())
        throw HttpError(404, "not-found", "Not found", "there is no resource at this path");
      std::string allow;
      for (const auto& a : m.allowed)
        allow += (allow.empty() ? "" : ", ") + a;
      throw HttpError(405, "method-not-allowed", "Method not allowed",
                      "this resource allows " + allow);
    }
    req.route = m.route->pattern;
    req.params = m.params;

    if (m.route->access == Access::kSession)
      authenticate(raw, req);
    return m.route->handler(req);
  }

  void authenticate(const Poco::Net::HTTPServerRequest& raw, Request& req) {
    std::string token;
    const std::string authz = raw.get("Authorization", "");
    if (!authz.empty()) {
      if (Poco::icompare(authz.substr(0, 7), "Bearer ") != 0)
        throw core::UnauthenticatedError("the Authorization header must be \"Bearer <token>\"");
      token = Poco::trim(authz.substr(7));
      req.bearer = true;
    } else {
      Poco::Net::NameValueCollection cookies;
      raw.getCookies(cookies);
      token = cookies.get(kSessionCookie, "");
    }
    if (token.empty())
      throw core::UnauthenticatedError("sign in first: POST /api/v1/session");
    req.session = service::resume_session(ctx_, policy_, token);
    // Browsers send cookies on their own; a write must also prove it came from our page.
    if (!req.bearer && is_write(req.method) &&
        !service::csrf_matches(*req.session, raw.get("X-CSRF-Token", ""))) {
      throw HttpError(403, "csrf", "CSRF token missing or wrong",
                      "send the X-CSRF-Token header with the token given at sign-in");
    }
  }

  void send(Poco::Net::HTTPServerResponse& out, const Response& res, bool close) {
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
    if (res.status == 401)
      out.set("WWW-Authenticate", "Bearer realm=\"pathaudit\"");
    // On every response, errors included (docs/security.md, "Headers").
    out.set("Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    out.set("X-Frame-Options", "DENY");
    out.set("Cross-Origin-Opener-Policy", "same-origin");
    out.set("Cross-Origin-Resource-Policy", "same-origin");
    out.set("Cache-Control", "no-store");
    if (options_.tls)
      out.set("Strict-Transport-Security", "max-age=31536000");
    // A handler's header replaces the default of that name (static files set Cache-Control);
    // Set-Cookie is the one header a response may repeat.
    for (const auto& [k, v] : res.headers) {
      if (Poco::icompare(k, "Set-Cookie") == 0)
        out.add(k, v);
      else
        out.set(k, v);
    }
    if (close)
      out.setKeepAlive(false);
    if (res.status == 204 || res.body.empty()) {
      out.setContentLength(0);
      out.send();
      return;
    }
    out.setContentType(res.content_type);
    if (!res.on_sent) {
      out.sendBuffer(res.body.data(), res.body.size());
      return;
    }
    // A response that must know it went out: write and flush through the stream, whose state says
    // whether the connection took every byte (sendBuffer would leave them buffered, unchecked).
    out.setContentLength64(static_cast<Poco::Int64>(res.body.size()));
    std::ostream& body = out.send();
    body.write(res.body.data(), static_cast<std::streamsize>(res.body.size()));
    body.flush();
    if (!body)
      throw std::runtime_error("the response was not written in full");
  }

  const ServerOptions& options_;
  const Router& router_;
  service::Context& ctx_;
  const service::SessionPolicy& policy_;
  ServerMetrics& metrics_;
  // Set before the server starts and reset only after its threads are joined (Server::stop).
  const std::unique_ptr<Poco::Net::HTTPServer>& server_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const ServerOptions& options, const Router& router, service::Context& ctx,
          const service::SessionPolicy& policy, ServerMetrics& metrics,
          const std::unique_ptr<Poco::Net::HTTPServer>& server)
      : options_(options),
        router_(router),
        ctx_(ctx),
        policy_(policy),
        metrics_(metrics),
        server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Pipeline(options_, router_, ctx_, policy_, metrics_, server_);
  }

 private:
  const ServerOptions& options_;
  const Router& router_;
  service::Context& ctx_;
  const service::SessionPolicy& policy_;
  ServerMetrics& metrics_;
  const std::unique_ptr<Poco::Net::HTTPServer>& server_;
};

}  // namespace

void log_line(const std::string& line) {
  // One write(2) per line: every request logs, and std::cerr (unbuffered) made three system calls
  // of each line under a process-wide lock that all the HTTP threads queued for. The lock stays so
  // that a line longer than the pipe's atomic size is still not interleaved with another.
  const std::string text = "pathaudit serve: " + line + "\n";
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;  // stderr gone (closed terminal): nothing better to do with a log line
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

ListenAddress parse_listen(const std::string& listen) {
  ListenAddress out;
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    throw core::ValidationError("--listen expects HOST:PORT, e.g. 127.0.0.1:8443");
  out.host = listen.substr(0, colon);
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  if (port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port) > 65535)
    throw core::ValidationError("--listen: the port must be a number from 0 to 65535");
  out.port = std::stoi(port);
  try {
    Poco::Net::SocketAddress a(out.host, static_cast<Poco::UInt16>(out.port));
    out.loopback = a.host().isLoopback();
  } catch (const Poco::Exception&) {
    throw core::ValidationError("--listen: cannot resolve the host " + out.host);
  }
  return out;
}

Server::Server(ServerOptions options, const Router& router, service::Context& ctx,
               const service::SessionPolicy& policy, ServerMetrics& metrics)
    : options_(std::move(options)), router_(router), ctx_(ctx), policy_(policy), metrics_(metrics) {
  options_.max_threads = std::clamp(options_.max_threads, 4, 128);
  options_.min_threads = std::clamp(options_.min_threads, 4, options_.max_threads);
}

Server::~Server() {
  try {
    stop();
  } catch (...) {
  }
}

void Server::start() {
  const ListenAddress where = parse_listen(options_.listen);
  const Poco::Net::SocketAddress address(where.host, static_cast<Poco::UInt16>(where.port));
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  try {
    if (options_.tls) {
      Poco::Net::Context::Params params;
      params.privateKeyFile = options_.key_file;
      params.certificateFile = options_.cert_file;
      params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // no client certificates
      params.loadDefaultCAs = false;
      params.cipherList = kCiphers;
      Poco::Net::Context::Ptr tls =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
      tls->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      tls->preferServerCiphers();
      socket = std::make_unique<Poco::Net::SecureServerSocket>(tls);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>();
    }
    // Poco's binding constructors set SO_REUSEPORT as well as SO_REUSEADDR: a second `serve` on
    // the same port would then start too and take a share of the connections at random. Only
    // SO_REUSEADDR (a restart need not wait for TIME_WAIT), so the second one fails instead.
    socket->bind(address, true, false);
    socket->listen(64);
  } catch (const Poco::Net::SSLException& e) {
    throw core::ValidationError("cannot use the TLS certificate " + options_.cert_file +
                                " and key " + options_.key_file + " (" + e.message() + ")");
  } catch (const Poco::IOException& e) {
    throw core::ValidationError("cannot listen on " + options_.listen + " (" + e.message() + ")");
  }

  pool_ = std::make_unique<Poco::ThreadPool>(options_.min_threads, options_.max_threads, 60);
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options_.max_threads);
  params->setMaxQueued(options_.max_queued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_seconds, 0));
  params->setMaxKeepAliveRequests(1000);
  params->setTimeout(Poco::Timespan(options_.receive_timeout_seconds, 0));
  params->setSoftwareVersion("");  // no Server header naming versions
  const Poco::UInt16 port = socket->address().port();
  server_ = std::make_unique<Poco::Net::HTTPServer>(
      new Factory(options_, router_, ctx_, policy_, metrics_, server_), *pool_, *socket, params);
  server_->start();
  std::string host =
      where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host;
  url_ = std::string(options_.tls ? "https" : "http") + "://" + host + ":" + std::to_string(port);
}

std::string Server::url() const {
  return url_;
}

void Server::stop() {
  if (stopped_ || !server_)
    return;
  stopped_ = true;
  // The listening socket first (TCPServer::stop), so no connection is accepted while the others
  // are told to stop (Poco issue #436); then each connection ends after the request it is serving
  // (abortCurrent false) and the pool's threads are joined.
  server_->stop();
  server_->stopAll(false);
  pool_->joinAll();
  server_.reset();
}

}  // namespace pathaudit::http
