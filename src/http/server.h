// The HTTPS service: a Poco::Net::HTTPServer with its own thread pool, a short keep-alive, a
// bounded accept queue and one request pipeline (DESIGN.md section 8, the Poco 1.11 traps):
//
//   limits (411 chunked, 413 body) -> route (404, 405) -> session (401) -> CSRF (403) -> handler
//   -> any exception mapped once to problem+json (problem.h) -> security headers -> log line
//
// The log line names the method, the route *pattern* (never the raw path or query, which could
// carry anything a client typed), the status and the time taken: no identifiers, tokens or bodies.
//
// Owns the socket, the pool and the server. start() and stop() from one thread (serve's main);
// the pipeline runs on the pool's threads and is thread-safe as far as the handlers are.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http/router.h"
#include "service/context.h"
#include "service/sessions.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace pathaudit::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8443";  // host:port; port 0 picks a free one
  bool tls = true;
  std::string cert_file;  // PEM; required with tls
  std::string key_file;
  int min_threads = 4;
  int max_threads = 16;  // 4 to 128
  int max_queued = 64;   // accepted connections waiting for a thread; more are refused
  int keep_alive_seconds = 5;
  int receive_timeout_seconds = 30;
  std::size_t max_body_bytes = 1 << 20;
};

// Counters for GET /metrics. Thread-safe (atomics).
struct ServerMetrics {
  std::atomic<long long> by_class[6] = {};  // index = status / 100 (1..5); 0 unused
  std::atomic<long long> in_flight{0};
};

// Writes one line to the server log (stderr), whole lines under a mutex. Thread-safe.
void log_line(const std::string& line);

class Server {
 public:
  // `sessions` resolves a token for routes with Access::kSession. The router, context and policy
  // must outlive the server.
  Server(ServerOptions options, const Router& router, service::Context& ctx,
         const service::SessionPolicy& policy, ServerMetrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. core::ValidationError for a bad listen address or TLS files.
  void start();
  // "https://127.0.0.1:8443", with the port actually bound.
  std::string url() const;
  // Stops accepting, lets in-flight requests finish (a keep-alive connection ends after its
  // current request), and waits for every worker. Idempotent.
  void stop();

 private:
  ServerOptions options_;
  const Router& router_;
  service::Context& ctx_;
  const service::SessionPolicy& policy_;
  ServerMetrics& metrics_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::string url_;
  bool stopped_ = false;
};

// The host:port parts of a listen address: "127.0.0.1:8443", "[::1]:8443", "localhost:0".
// core::ValidationError naming --listen when it cannot be parsed or resolved.
struct ListenAddress {
  std::string host;
  int port = 0;
  bool loopback = false;  // every address it resolves to is a loopback address
};
ListenAddress parse_listen(const std::string& listen);

}  // namespace pathaudit::http
