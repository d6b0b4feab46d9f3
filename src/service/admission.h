// Admission control of `heyan serve`: at most `workers` requests are decided at once, at
// most `queue` more wait for a turn, and anything beyond that is refused at once with
// RESOURCE_EXHAUSTED. So an overloaded service keeps answering (quickly, with a refusal the
// caller can retry) instead of piling up threads and memory until every caller times out.
//
// Thread-safety: all members may be called from any thread.
#ifndef HEYAN_SERVICE_ADMISSION_H_
#define HEYAN_SERVICE_ADMISSION_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace heyan::service {

class Admission {
 public:
  Admission(int workers, int queue) : workers_(workers < 1 ? 1 : workers), queue_(queue < 0 ? 0 : queue) {}

  // Takes a worker slot, waiting in the queue until `deadline` if all are busy.
  // ResourceExhausted: the queue is full. DeadlineExceeded: still waiting at `deadline`.
  absl::Status Enter(absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    if (active_ < workers_) {
      ++active_;
      return absl::OkStatus();
    }
    if (waiting_ >= queue_) {
      ++refused_;
      return absl::ResourceExhaustedError(
          "服务繁忙，请稍后重试（overloaded: all workers busy and the queue is full; retry later）");
    }
    ++waiting_;
    auto free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return active_ < workers_; };
    const bool got = mu_.AwaitWithDeadline(absl::Condition(&free), deadline);
    --waiting_;
    if (!got) {
      return absl::DeadlineExceededError("排队等候超时（deadline passed while queued）");
    }
    ++active_;
    return absl::OkStatus();
  }

  // Gives the slot back.
  void Leave() {
    absl::MutexLock lock(&mu_);
    --active_;
  }

  int active() const {
    absl::MutexLock lock(&mu_);
    return active_;
  }
  int waiting() const {
    absl::MutexLock lock(&mu_);
    return waiting_;
  }
  long refused() const {
    absl::MutexLock lock(&mu_);
    return refused_;
  }

 private:
  const int workers_;
  const int queue_;
  mutable absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  long refused_ ABSL_GUARDED_BY(mu_) = 0;
};

// Holds a slot for a scope.
class AdmissionSlot {
 public:
  explicit AdmissionSlot(Admission* a) : a_(a) {}
  ~AdmissionSlot() {
    if (held_) a_->Leave();
  }
  absl::Status Enter(absl::Time deadline) {
    absl::Status s = a_->Enter(deadline);
    held_ = s.ok();
    return s;
  }

 private:
  Admission* a_;
  bool held_ = false;
};

}  // namespace heyan::service

#endif  // HEYAN_SERVICE_ADMISSION_H_
