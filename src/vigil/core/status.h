// vigil::Status and vigil::Result<T>: errors as values at module boundaries (STYLE §3).
//
// What can fail because of input, configuration, disk, network or a peer returns a Status
// or a Result<T>. Bugs are VIGIL_CHECK'd instead (core/check.h). Thread-compatible values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "vigil/core/check.h"

namespace vigil {

// A small closed set of codes; each maps to one exit code (cli) and one HTTP status (server).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kUnauthenticated,
  kResourceExhausted,
  kUnavailable,
  kDataLoss,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK.
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Names the subject: file:line, flag, key, and the reason.
  const std::string& message() const { return message_; }
  // "invalid argument: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>" (OK stays OK).
  Status WithPrefix(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() {
  return Status();
}
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnauthenticatedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

// A value or the Status saying why there is none (the shape of absl::StatusOr).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : v_(value) {}            // NOLINT(google-explicit-constructor)
  Result(T&& value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    VIGIL_CHECK(!std::get<Status>(v_).ok(), "Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  const T& value() const& {
    VIGIL_CHECK(ok(), "Result::value() on an error");
    return std::get<T>(v_);
  }
  T& value() & {
    VIGIL_CHECK(ok(), "Result::value() on an error");
    return std::get<T>(v_);
  }
  T&& value() && {
    VIGIL_CHECK(ok(), "Result::value() on an error");
    return std::get<T>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace vigil

#define VIGIL_STATUS_CONCAT_INNER(a, b) a##b
#define VIGIL_STATUS_CONCAT(a, b) VIGIL_STATUS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define VIGIL_RETURN_IF_ERROR(expr)             \
  do {                                          \
    ::vigil::Status vigil_status_tmp_ = (expr); \
    if (!vigil_status_tmp_.ok()) {              \
      return vigil_status_tmp_;                 \
    }                                           \
  } while (false)

// `lhs = value of rexpr`, or returns its Status. `lhs` may declare: `auto x`.
#define VIGIL_ASSIGN_OR_RETURN(lhs, rexpr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL(VIGIL_STATUS_CONCAT(vigil_result_, __LINE__), lhs, rexpr)
#define VIGIL_ASSIGN_OR_RETURN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                                \
  if (!result.ok()) {                                   \
    return result.status();                             \
  }                                                     \
  lhs = std::move(result).value()
