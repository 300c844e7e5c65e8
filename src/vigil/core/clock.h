// core::Clock: the one way code below cli/server learns the time (STYLE §2), so tests inject a
// ManualClock. SystemClock is constructed only by cli and server.
#pragma once

#include <chrono>

#include "vigil/core/time.h"

namespace vigil::core {

class Clock {
 public:
  Clock() = default;
  virtual ~Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return Timestamp::FromUnixMillis(ms.count());
  }
};

// A clock that moves only when told to (tests, backtests).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override { return now_; }
  void Set(Timestamp t) { now_ = t; }
  void Advance(Duration d) { now_ = now_ + d; }

 private:
  Timestamp now_;
};

}  // namespace vigil::core
