// Boost.Beast server: sockets, timers and threads. Sessions move bytes between the socket and
// a RequestReader (the HTTP steps), hand the request to the Dispatcher, and write its answer.
#include "http/server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <condition_variable>
#include <csignal>
#include <latch>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/request_reader.h"

namespace host::http {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Every connection holds a descriptor; these stay for the database, plugins and logs.
constexpr std::size_t kReservedDescriptors = 128;
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr std::size_t kIdleWireCapacity = 16 * 1024;

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
  std::atomic<std::size_t>& connections;  // sessions alive
  net::thread_pool* workers = nullptr;    // null: every handler runs on the io threads
};

// One connection: RequestReader does the HTTP, the session moves bytes and keeps the time.
class Session : public std::enable_shared_from_this<Session> {
  using Step = RequestReader::Step;

 public:
  Session(tcp::socket socket, Shared& shared)
      : stream_(std::move(socket)),
        shared_(shared),
        reader_(ReadLimits{shared.options.header_limit, shared.options.body_limit}) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : endpoint.address().to_string();
  }
  ~Session() {
    shared_.registry.remove(this);
    shared_.connections.fetch_sub(1, std::memory_order_relaxed);
  }

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
  // Waits (idle timeout) for the first bytes of the next request, then reads it whole within
  // the read timeout, counted from its first byte: head and body, however slowly it trickles
  // in, so a slow client cannot hold a request open by sending a byte now and then.
  void wait_for_request() {
    if (stopping_ || shared_.stopping) return close_now();
    reader_.start();
    if (reader_.has_buffered()) {  // pipelined: the next request is already here
      start_read_deadline();
      return advance();
    }
    reader_.release_idle_memory();
    if (wire_.capacity() > kIdleWireCapacity) std::string().swap(wire_);
    idle_ = true;
    stream_.expires_after(shared_.options.idle_timeout);
    read_more();
  }

  void read_more() {
    const auto room = reader_.prepare();
    stream_.async_read_some(
        net::buffer(room.data(), room.size()),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    reader_.commit(n);
    if (idle_) {
      idle_ = false;
      if (ec) return close_now();  // idle timeout, EOF, reset or shutdown: nothing begun
      start_read_deadline();
    }
    if (ec == net::error::eof) return on_step(reader_.end_of_input());
    if (ec) {
      if (read_timed_out_) return on_step(reader_.timed_out());
      end_read_deadline();
      return close_now();  // reset, aborted by shutdown: nobody to answer
    }
    advance();
  }

  void advance() { on_step(reader_.parse()); }

  void on_step(Step step) {
    switch (step) {
      case Step::kNeedMore:
        // The deadline may have passed while the last read was completing.
        if (read_timed_out_) return on_step(reader_.timed_out());
        return read_more();
      case Step::kSendContinue:
        return net::async_write(stream_, net::buffer(kContinueReply.data(), kContinueReply.size()),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec) return self->close_now();
                                  self->advance();
                                });
      case Step::kReady:
        end_read_deadline();
        return handle();
      case Step::kRefuse:
        end_read_deadline();
        return reply_error(reader_.refusal());
      case Step::kClose:
        end_read_deadline();
        return close_now();
    }
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

  void handle() {
    in_ = &reader_.request(client_);
    // The session reads nothing until it has answered, so the request and the parser stay
    // untouched until then; the tracked executor keeps the io_context running until the
    // answer is back on it.
    auto executor = net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked);
    dispatched_.emplace();
    if (!shared_.dispatcher.admit(*in_, *dispatched_) || shared_.workers == nullptr) {
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
    shared_.dispatcher.begin(*in_, *dispatched_);
    dispatched_->writes.commit([self = shared_from_this(), executor](Status committed) {
      net::dispatch(executor, [self, committed = std::move(committed)]() {
        self->respond(self->shared_.dispatcher.end(*self->dispatched_, committed));
      });
    });
  }

  void respond(hostsdk::Response out) {
    bool keep_alive = reader_.keep_alive() && !stopping_ && !shared_.stopping;
    write(std::move(out), keep_alive, reader_.version());
  }

  void reply_error(ProtocolError error) {
    write(shared_.dispatcher.refuse(error, client_), false, 11);
  }

  void write(hostsdk::Response out, bool keep_alive, unsigned version) {
    const FramedResponse framed = frame_response(out, keep_alive, version, wire_);
    if (framed.fallback) spdlog::error("response could not be built: {}", framed.error);
    stream_.expires_after(shared_.options.write_timeout);
    net::async_write(stream_, net::buffer(wire_),
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                       if (ec) return self->close_now();
                       if (!keep_alive) return self->linger_close();
                       self->wait_for_request();
                     });
  }

  // Half-close, then read and drop what the client still sends for a moment, so closing
  // does not reset the connection before the client has read our answer (e.g. a 413).
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    stream_.expires_after(std::chrono::seconds(2));
    discard_ = std::make_unique<std::array<char, 4096>>();
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(*discard_),
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
  RequestReader reader_;
  const IncomingRequest* in_ = nullptr;              // the request being answered, in reader_
  std::optional<Dispatched> dispatched_;             // the request being answered
  std::string wire_;                                 // the response being written
  std::unique_ptr<std::array<char, 4096>> discard_;  // only while lingering
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

// Raises the soft limit on open descriptors to the hard limit (every connection holds one)
// and returns the soft limit in force, or 0 when it cannot be read.
std::size_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < limit.rlim_max) {
    rlimit wanted = limit;
    // An unlimited hard limit is not a valid soft one (fs.nr_open bounds it): take 2^20.
    wanted.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &wanted) == 0) {
      spdlog::info("raised the open file limit from {} to {}", limit.rlim_cur, wanted.rlim_cur);
      limit = wanted;
    }
  }
  if (limit.rlim_cur == RLIM_INFINITY) return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Dispatcher& d)
      : options(std::move(o)), shared{options, d, registry, stopping, connections} {}

  // The acceptor never stops: a failed accept is retried (after a pause when descriptors or
  // memory ran out, so it does not spin), and connections over the limit are refused at once.
  void accept() {
    net::io_context& target = *contexts[next_context % contexts.size()];
    acceptor->async_accept(target, [this, &target](beast::error_code ec, tcp::socket socket) {
      if (!acceptor->is_open() || ec == net::error::operation_aborted) return;
      if (ec) return on_accept_error(ec);
      if (connections.load(std::memory_order_relaxed) >= max_connections) {
        refuse_connection(socket);
        return accept();
      }
      ++next_context;
      connections.fetch_add(1, std::memory_order_relaxed);
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      net::post(target, [this, s = std::move(socket)]() mutable {
        std::make_shared<Session>(std::move(s), shared)->start();
      });
      accept();
    });
  }

  void on_accept_error(beast::error_code ec) {
    // The peer gave up while queued: nothing to wait for.
    if (ec == net::error::connection_aborted || ec == net::error::connection_reset) {
      return accept();
    }
    // Out of descriptors (EMFILE, ENFILE) or memory: the pending connection stays queued in
    // the kernel; retry after a pause, as connections close, instead of spinning.
    ++accept_failures;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_accept_warning >= std::chrono::seconds(1)) {
      spdlog::warn("accept failed {} time(s) in the last second: {}; retrying every 50 ms",
                   accept_failures, ec.message());
      accept_failures = 0;
      last_accept_warning = now;
    }
    retry_timer->expires_after(std::chrono::milliseconds(50));
    retry_timer->async_wait([this](beast::error_code e) {
      if (!e && acceptor->is_open()) accept();
    });
  }

  // Over max_connections, a new connection is accepted and answered at once with a 503 JSON
  // (Connection: close, Retry-After: 1) in one non-blocking write, then closed; it never
  // becomes a session and holds nothing afterwards. Chosen over a silent close because a
  // client (or a load balancer) learns why and when to retry; what the client has already
  // sent is read first, so that the close does not reset the connection under the 503 (bytes
  // arriving later may still turn it into a reset, which the client sees as a refusal too).
  // Accepting, rather than leaving connections queued in the kernel, keeps the backlog short
  // so that connections are served again as soon as sessions end.
  void refuse_connection(tcp::socket& socket) {
    static const std::string wire = [] {
      hostsdk::Response out = json_error(503, "Too many connections, try again later.");
      out.headers.emplace_back("Retry-After", "1");
      std::string bytes;
      frame_response(out, false, 11, bytes);
      return bytes;
    }();
    beast::error_code ec;
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(net::buffer(wire), ec);
    if (!ec) socket.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> scratch;
    for (int i = 0; i < 16 && !ec; ++i) socket.read_some(net::buffer(scratch), ec);
    socket.close(ec);
    ++refused_connections;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_warning >= std::chrono::seconds(1)) {
      spdlog::warn("connection limit of {} reached: refused {} connection(s) with 503",
                   max_connections, refused_connections);
      refused_connections = 0;
      last_refusal_warning = now;
    }
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
  std::atomic<std::size_t> connections{0};  // sessions alive
  Shared shared;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  // Declared after the contexts so it is destroyed (joined) before them: a job may still
  // post its answer to a context until the pool has stopped.
  std::optional<net::thread_pool> workers;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> retry_timer;
  std::optional<net::signal_set> signals;
  std::size_t max_connections = 0;  // in force: the option, within the fd limit
  // The acceptor's own state (on contexts[0] only).
  std::size_t next_context = 0;
  std::size_t accept_failures = 0, refused_connections = 0;
  std::chrono::steady_clock::time_point last_accept_warning{}, last_refusal_warning{};
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
  const std::size_t open_files = raise_open_file_limit();
  s.max_connections = std::max<std::size_t>(1, s.options.max_connections);
  if (open_files != 0 && s.max_connections + kReservedDescriptors > open_files) {
    // Past the descriptor limit accept() would fail and connections would wait in the kernel;
    // refusing them with a 503 below it keeps the host answering.
    const std::size_t fit =
        open_files > 2 * kReservedDescriptors ? open_files - kReservedDescriptors : open_files / 2;
    spdlog::warn(
        "--max-connections {} does not fit the open file limit of {} (ulimit -n; {} kept for "
        "the database and plugins): at most {} connections",
        s.max_connections, open_files, kReservedDescriptors, std::max<std::size_t>(1, fit));
    s.max_connections = std::max<std::size_t>(1, fit);
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
  spdlog::info("listening on {}:{} with {} thread(s) and {} worker(s), at most {} connections",
               s.options.address, port(), s.contexts.size(), s.options.workers, s.max_connections);
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
