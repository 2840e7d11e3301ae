// One connection's HTTP steps without a socket: parse each request with the server's limits,
// decide on 100-continue and on refusals, frame the answer's bytes. http/server.cpp feeds it
// what its socket reads and writes what it frames; fuzz/http_replay.cpp feeds it the fuzzer's
// bytes, so the server and the fuzz target run exactly these steps and cannot drift apart.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "hostsdk/request.h"
#include "http/dispatcher.h"
#include "http/replies.h"

namespace host::http {

struct ReadLimits {
  std::size_t header_limit = 8 * 1024;  // request line and fields; beyond: 431
  std::size_t body_limit = 64 * 1024;   // declared or received; beyond: 413, before reading it
};

// The interim answer to "Expect: 100-continue".
inline constexpr std::string_view kContinueReply = "HTTP/1.1 100 Continue\r\n\r\n";

class RequestReader {
 public:
  enum class Step {
    kNeedMore,      // read into prepare(), commit(), then parse() again
    kSendContinue,  // write kContinueReply, then parse() again
    kReady,         // the request is whole: request(), keep_alive(), version()
    kRefuse,        // answer protocol_error_reply(refusal()), then close
    kClose,         // close without an answer: the peer left between requests, or reset
  };

  explicit RequestReader(ReadLimits limits);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Begins the next request. Bytes read past the previous one (pipelining) are kept.
  void start();
  // Bytes read and not yet parsed: the next request has begun arriving.
  bool has_buffered() const noexcept;
  // Between requests with nothing buffered: gives back a buffer a large request grew.
  void release_idle_memory();

  // Room for the next read (at most 64 KiB); commit() how much of it was filled.
  std::span<char> prepare();
  void commit(std::size_t n) noexcept;

  // Parses what has been read so far.
  Step parse();
  // The peer closed its sending side: kClose between requests, kRefuse (400) within one.
  Step end_of_input();
  // The request's deadline passed before it was whole: kRefuse (408).
  Step timed_out() noexcept;
  // What to answer after kRefuse.
  ProtocolError refusal() const noexcept { return refusal_; }

  // After kReady: views into the parsed request, valid until start().
  const IncomingRequest& request(std::string_view client_address);
  bool keep_alive() const;
  unsigned version() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ProtocolError refusal_ = ProtocolError::kMalformed;
};

// What frame_response() framed.
struct FramedResponse {
  std::size_t fields = 0;  // header fields of the framed message
  bool fallback = false;   // `out` could not be framed (a header Beast refuses): a plain 500
  std::string error;       // why, when fallback
};

// The bytes of `out` as an HTTP/1.x response in `wire` (replaced): Server and Content-Type,
// its headers, Content-Length and the Connection field for `keep_alive`. Moves out.body.
FramedResponse frame_response(hostsdk::Response& out, bool keep_alive, unsigned version,
                              std::string& wire);

}  // namespace host::http
