#pragma once

#include <cstddef>
#include <string>

namespace citytwin::viewer {

// Where the live city state comes from: an NGSI-LD service such as `citytwin serve`.
struct LiveOptions {
  std::string url;             // "http://127.0.0.1:1026"
  std::string token;           // bearer token, when the service wants one
  double pollIntervalS = 2.0;  // between the end of one poll and the start of the next
  int timeoutS = 5;            // per request: a hung service must not hold the poller for long
};

// How the live connection is doing, for the "Live" indicator.
struct LiveStatus {
  bool enabled = false;
  int polls = 0;              // finished polls, successful or not
  bool updated = false;       // at least one poll succeeded
  std::string lastUpdateUtc;  // "14:03:22" of the last successful poll
  std::string error;          // of the last poll; empty when it succeeded
  std::size_t entities = 0;   // fetched by the last successful poll
  std::size_t mapped = 0;     // of those, how many changed the city state
};

}  // namespace citytwin::viewer
