// Boost.Beast server: the only translation unit of the host that includes Beast or Asio.
// Sessions parse, hand a view of the request to the Dispatcher, and write what it returns.
#include "http/server.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace host::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::size_t kLingerBytes = 1 << 20;

class Session;

// Live sessions, so that shutdown can close the idle ones.
class SessionRegistry {
 public:
  void add(const std::shared_ptr<Session>& s, Session* key) {
    std::lock_guard lock(mutex_);
    sessions_[key] = s;
  }
  void remove(Session* key) {
    std::lock_guard lock(mutex_);
    sessions_.erase(key);
  }
  std::vector<std::shared_ptr<Session>> snapshot() {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<Session>> out;
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

struct Shared {
  const ServerOptions& options;
  Dispatcher& dispatcher;
  SessionRegistry& registry;
  std::atomic<bool>& stopping;
  net::thread_pool* workers = nullptr;  // null: every handler runs on the io threads
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : endpoint.address().to_string();
  }
  ~Session() { shared_.registry.remove(this); }

  void start() {
    shared_.registry.add(shared_from_this(), this);
    wait_for_request();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  // On the session's executor: close now if idle, else after the current response.
  void shutdown() {
    stopping_ = true;
    if (idle_) close_now();
  }

 private:
  // Waits (idle timeout) for the first bytes of the next request, then reads it (read
  // timeout), so a slow client cannot hold a request open for the whole idle time.
  void wait_for_request() {
    if (stopping_ || shared_.stopping) return close_now();
    if (buffer_.size() > 0) return read_header();  // pipelined request already buffered
    idle_ = true;
    stream_.expires_after(shared_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) return self->close_now();
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
    parser_->body_limit(shared_.options.body_limit);
    start_read_deadline();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->on_read_error(ec);
                               self->on_header();
                             });
  }

  // The stream's own timeout would close the socket; this deadline only cancels the read,
  // so the client still gets a 408.
  void start_read_deadline() {
    stream_.expires_never();
    reading_ = true;
    read_timed_out_ = false;
    read_timer_.expires_after(shared_.options.read_timeout);
    read_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || !self->reading_) return;
      self->read_timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  void end_read_deadline() {
    reading_ = false;
    read_timer_.cancel();
  }

  void on_header() {
    if (!parser_->is_done() &&
        iequals(view(parser_->get()[bhttp::field::expect]), "100-continue")) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->close_now();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return handle();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->handle();
                      });
  }

  void on_read_error(beast::error_code ec) {
    end_read_deadline();
    if (read_timed_out_) return reply_error(ProtocolError::kTimeout);
    if (ec == bhttp::error::end_of_stream) return close_now();
    if (ec == bhttp::error::body_limit) return reply_error(ProtocolError::kBodyTooLarge);
    if (ec == bhttp::error::header_limit) return reply_error(ProtocolError::kHeadersTooLarge);
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return reply_error(ProtocolError::kMalformed);
    }
    close_now();  // reset, aborted by shutdown: nobody to answer
  }

  void handle() {
    end_read_deadline();
    auto& req = parser_->get();
    headers_.clear();
    for (const auto& field : req) {
      headers_.push_back({view(field.name_string()), view(field.value())});
    }
    in_.method = view(req.method_string());
    in_.target = view(req.target());
    in_.body = req.body();
    in_.host = view(req[bhttp::field::host]);
    in_.headers = headers_.data();
    in_.header_count = headers_.size();
    in_.client_address = client_;
    // The session reads nothing until it has answered, so in_ and the parser stay untouched
    // until then; the tracked executor keeps the io_context running until the answer is
    // back on it.
    auto executor = net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked);
    dispatched_.emplace();
    if (!shared_.dispatcher.admit(in_, *dispatched_) || shared_.workers == nullptr) {
      return run_and_commit(executor);
    }
    // A handler that may take long (password hashing, a write that commits before it
    // returns when the host is otherwise idle) runs on a worker; the io thread goes on.
    net::post(*shared_.workers,
              [self = shared_from_this(), executor]() { self->run_and_commit(executor); });
  }

  // Runs the handler here, then answers once its writes are durable: at once when it wrote
  // nothing, else when the storage writer reports the commit (from its own thread; nothing
  // waits meanwhile, so one io thread serves many requests that share one commit).
  void run_and_commit(const net::any_io_executor& executor) {
    shared_.dispatcher.begin(in_, *dispatched_);
    dispatched_->writes.commit([self = shared_from_this(), executor](Status committed) {
      net::dispatch(executor, [self, committed = std::move(committed)]() {
        self->respond(self->shared_.dispatcher.end(*self->dispatched_, committed));
      });
    });
  }

  void respond(hostsdk::Response out) {
    auto& req = parser_->get();
    bool keep_alive = req.keep_alive() && !stopping_ && !shared_.stopping;
    write(std::move(out), keep_alive, req.version());
  }

  void reply_error(ProtocolError error) {
    write(shared_.dispatcher.refuse(error, client_), false, 11);
  }

  void write(hostsdk::Response out, bool keep_alive, unsigned version) {
    try {
      build_response(out, keep_alive, version);
    } catch (const std::exception& e) {
      // A header Beast will not serialize: answer a plain 500 rather than nothing.
      spdlog::error("response could not be built: {}", e.what());
      out = internal_error();
      out.headers.clear();
      build_response(out, keep_alive, version);
    }
    stream_.expires_after(shared_.options.write_timeout);
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                         if (ec) return self->close_now();
                         if (!keep_alive) return self->linger_close();
                         self->wait_for_request();
                       });
  }

  void build_response(hostsdk::Response& out, bool keep_alive, unsigned version) {
    response_ = {};
    response_.version(version == 10 ? 10 : 11);
    response_.result(static_cast<unsigned>(out.status));
    response_.set(bhttp::field::server, "rchost");
    response_.set(bhttp::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response_.set(name, value);
    response_.body() = std::move(out.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
  }

  // Half-close, then read and drop what the client still sends for a moment, so closing
  // does not reset the connection before the client has read our answer (e.g. a 413).
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    stream_.expires_after(std::chrono::seconds(2));
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->close_now();
                              self->drain();
                            });
  }

  void close_now() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::vector<hostsdk::Header> headers_;
  IncomingRequest in_;
  std::optional<Dispatched> dispatched_;  // the request being answered
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 4096> discard_{};
  std::size_t drained_ = 0;
  net::steady_timer read_timer_{stream_.get_executor()};
  bool reading_ = false;
  bool read_timed_out_ = false;
  bool idle_ = false;
  bool stopping_ = false;
};

// Handlers do not throw by design; if one ever does, log it and keep serving.
void run_context(net::io_context& context) {
  for (;;) {
    try {
      context.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("unexpected exception in the server loop: {}", e.what());
    }
  }
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Dispatcher& d)
      : options(std::move(o)), shared{options, d, registry, stopping} {}

  void accept() {
    net::io_context& target = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(target, [this, &target](beast::error_code ec, tcp::socket socket) {
      if (!acceptor->is_open() || ec == net::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors and the like: back off instead of spinning.
        spdlog::warn("accept failed: {}", ec.message());
        retry_timer->expires_after(std::chrono::milliseconds(100));
        retry_timer->async_wait([this](beast::error_code e) {
          if (!e && acceptor->is_open()) accept();
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      net::post(target, [this, s = std::move(socket)]() mutable {
        std::make_shared<Session>(std::move(s), shared)->start();
      });
      accept();
    });
  }

  // Runs on contexts[0].
  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    auto sessions = registry.snapshot();
    spdlog::info("shutting down: no longer accepting, draining {} connection(s)", sessions.size());
    beast::error_code ec;
    acceptor->close(ec);
    retry_timer->cancel();
    signals->cancel();
    for (auto& s : sessions) {
      net::post(s->executor(), [s] { s->shutdown(); });
    }
    guards.clear();  // each io_context returns once its connections are done
    watchdog = std::thread([this] {
      std::unique_lock lock(drain_mutex);
      if (!drain_cv.wait_for(lock, options.drain_timeout, [this] { return drained; })) {
        spdlog::warn("drain timeout after {} ms: closing remaining connections",
                     options.drain_timeout.count());
        for (auto& c : contexts) c->stop();
      }
    });
  }

  ServerOptions options;
  SessionRegistry registry;
  std::atomic<bool> stopping{false};
  Shared shared;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  // Declared after the contexts so it is destroyed (joined) before them: a job may still
  // post its answer to a context until the pool has stopped.
  std::optional<net::thread_pool> workers;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> retry_timer;
  std::optional<net::signal_set> signals;
  std::size_t next_context = 0;
  std::mutex drain_mutex;
  std::condition_variable drain_cv;
  bool drained = false;
  std::thread watchdog;
};

Server::Server(ServerOptions options, Dispatcher& dispatcher)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher)) {}

Server::~Server() {
  if (impl_->watchdog.joinable()) impl_->watchdog.join();
}

hostsdk::Status Server::listen() {
  Impl& s = *impl_;
  unsigned threads = std::max(1u, s.options.threads);
  for (unsigned i = 0; i < threads; ++i) {
    s.contexts.push_back(std::make_unique<net::io_context>(1));
    s.guards.push_back(net::make_work_guard(*s.contexts.back()));
  }
  beast::error_code ec;
  auto address = net::ip::make_address(s.options.address, ec);
  if (ec) return hostsdk::Status::Invalid("bad listen address " + s.options.address);
  tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.emplace(*s.contexts[0]);
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return hostsdk::Status::Unavailable("cannot listen on " + s.options.address + ":" +
                                        std::to_string(s.options.port) + ": " + ec.message());
  }
  s.retry_timer.emplace(*s.contexts[0]);
  s.signals.emplace(*s.contexts[0], SIGINT, SIGTERM);
  if (s.options.workers > 0) {
    s.workers.emplace(s.options.workers);
    s.shared.workers = &*s.workers;
    // Named from inside: each thread takes one of these jobs and then waits at the latch,
    // so every worker names itself exactly once.
    auto named = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(s.options.workers));
    for (unsigned i = 0; i < s.options.workers; ++i) {
      net::post(*s.workers, [named] {
        pthread_setname_np(pthread_self(), "rchost-worker");
        named->arrive_and_wait();
      });
    }
  }
  return hostsdk::Status::Ok();
}

unsigned short Server::port() const noexcept {
  beast::error_code ec;
  return impl_->acceptor ? impl_->acceptor->local_endpoint(ec).port() : 0;
}

void Server::run() {
  Impl& s = *impl_;
  s.signals->async_wait([&s](beast::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}", signal);
    s.begin_shutdown();
  });
  s.accept();
  spdlog::info("listening on {}:{} with {} thread(s) and {} worker(s)", s.options.address, port(),
               s.contexts.size(), s.options.workers);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.contexts.size(); ++i) {
    threads.emplace_back([&s, i] {
      pthread_setname_np(pthread_self(), "rchost-io");
      run_context(*s.contexts[i]);
    });
  }
  run_context(*s.contexts[0]);
  for (auto& t : threads) t.join();
  if (s.workers) s.workers->join();  // after a drain timeout, jobs may still be finishing
  {
    std::lock_guard lock(s.drain_mutex);
    s.drained = true;
  }
  s.drain_cv.notify_all();
  if (s.watchdog.joinable()) s.watchdog.join();
  spdlog::info("all connections closed");
}

void Server::stop() noexcept {
  if (!impl_->contexts.empty()) {
    net::post(*impl_->contexts[0], [this] { impl_->begin_shutdown(); });
  }
}

}  // namespace host::http
