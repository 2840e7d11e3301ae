// The HTTP/1.1 server: one io_context per thread, one acceptor handing sockets round-robin
// to them, async keep-alive sessions, limits and timeouts, graceful shutdown on signals.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "hostsdk/status.h"
#include "http/dispatcher.h"

namespace host::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 3000;  // 0 picks a free port; see Server::port()
  unsigned threads = 1;
  // Threads for handlers that may hold their thread for long (Dispatcher::admit): password
  // hashing, or writes that commit before they return when the host is otherwise idle.
  // 0: every handler runs on the io threads.
  unsigned workers = 0;
  std::size_t body_limit = 64 * 1024;              // larger bodies get 413
  std::size_t header_limit = 8 * 1024;             // larger request heads get 431
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive wait for the next request
  // Receiving one request, head and body, from its first byte (not reset by each byte); 408.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};  // sending one response
  std::chrono::milliseconds drain_timeout{10'000};  // shutdown: wait for requests in flight
  // Open connections at most; further ones get a 503 and are closed. Lowered at listen() to
  // fit the open file limit (whose soft value listen() raises to the hard one).
  std::size_t max_connections = 10'000;
};

class Server {
 public:
  Server(ServerOptions options, Dispatcher& dispatcher);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kUnavailable naming the reason when the address cannot be used.
  hostsdk::Status listen();
  unsigned short port() const noexcept;
  // Serves until SIGINT/SIGTERM or stop(), then stops accepting and drains. Returns when
  // every connection is closed (or the drain timeout has passed).
  void run();
  // Thread-safe: begins the graceful shutdown.
  void stop() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace host::http
