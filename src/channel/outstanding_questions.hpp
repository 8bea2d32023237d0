// The questions outstanding on a channel: the invokes this side sent and
// awaits the answers to, each with the thread that waits for it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <thread>
#include <vector>

#include "frame.hpp"

#pragma GCC visibility push(hidden)

namespace captee::detail {

// One thread blocked on one invoke id: the answer (a reply) lands in its
// inbox, and so do the peer's nested requests with the same invoke id (the
// callbacks the peer makes while serving it, run on this thread).
struct Question {
  std::thread::id owner = std::this_thread::get_id();
  // Whether the owner asked while serving a request (a callback it makes on
  // a peer's behalf, as capteed forwards a TA's IWait to the client): a
  // close must then not make this answer wait for its releases (shut_down).
  bool asked_while_serving = false;
  std::condition_variable cv;
  Frame *head = nullptr;  // FIFO inbox, rarely more than one frame
  Frame *tail = nullptr;
  Question() = default;
  Question(const Question &) = delete;
  Question &operator=(const Question &) = delete;
  ~Question() {
    // Frames that raced in after our reply belong to nobody; drop them.
    while (!empty()) {
      pop();
    }
  }
  bool empty() const { return head == nullptr; }
  void push(FramePtr f) {
    Frame *raw = f.release();
    raw->next = nullptr;
    if (tail != nullptr) {
      tail->next = raw;
    } else {
      head = raw;
    }
    tail = raw;
  }
  FramePtr pop() {
    Frame *raw = head;
    head = raw->next;
    if (head == nullptr) {
      tail = nullptr;
    }
    raw->next = nullptr;
    return FramePtr(raw);
  }
};

// The outstanding questions by invoke id. A handful at most, so a flat vector
// (no allocation per invoke once it has grown). A nested invoke reuses its
// thread's invoke id: its question stands in for the outer one until it is
// answered. The channel's mu_ guards the table.
class OutstandingQuestions {
 public:
  struct Slot {
    uint32_t id;
    Question *q;
  };
  Slot *find(uint32_t id) {
    for (Slot &s : slots_) {
      if (s.id == id) {
        return &s;
      }
    }
    return nullptr;
  }
  void add(uint32_t id, Question *q) { slots_.push_back({id, q}); }
  // Takes `id` back from the innermost question: to `outer` if this was a
  // nested invoke reusing the id, else the id is free again.
  void give_back(uint32_t id, Question *outer) {
    Slot *s = find(id);
    if (s == nullptr) {
      return;
    }
    if (outer != nullptr) {
      s->q = outer;
    } else {
      *s = slots_.back();
      slots_.pop_back();
    }
  }
  bool empty() const { return slots_.empty(); }
  auto begin() const { return slots_.begin(); }
  auto end() const { return slots_.end(); }

 private:
  std::vector<Slot> slots_;
};

}  // namespace captee::detail

#pragma GCC visibility pop
