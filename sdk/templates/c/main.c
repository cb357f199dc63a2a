/*
 * A Keel guest in C. Build it with `keel build` (Debian: apt-get install clang lld wasi-libc
 * libclang-rt-dev-wasm32); docs/sdk-c.md describes the bindings in __NAME__.h.
 */
#include <stdio.h>
#include <string.h>

#include "__NAME__.h"

static void info(const char *text) {
  keel_string_t message = keel_string(text);
  keel_kernel_log_log(KEEL_KERNEL_LOG_LEVEL_INFO, &message);
}

/* A message: log it; answer a request with a greeting; publish that someone was greeted. */
void exports_keel_kernel_handler_on_message(keel_string_t *sender, __NAME___list_u8_t *body, uint64_t request) {
  char line[256];
  snprintf(line, sizeof line, "message from %.*s: %.*s", (int)sender->len, sender->ptr, (int)body->len, body->ptr);
  info(line);
  if (request != 0) {
    char answer[256];
    int n = snprintf(answer, sizeof answer, "hello, %.*s", (int)body->len, body->ptr);
    __NAME___list_u8_t reply = {(uint8_t *)answer, (size_t)n};
    __NAME___result_void_keel_kernel_types_error_code_t result;
    keel_kernel_ipc_reply(request, &reply, &result);
  }
  keel_string_t topic = keel_string("__NAME__.greeted");
  __NAME___result_void_keel_kernel_types_error_code_t published;
  keel_kernel_events_publish(&topic, body, &published);
  keel_string_free(sender);
  __NAME___list_u8_free(body);
}

void exports_keel_kernel_handler_on_reply(uint64_t request, keel_kernel_types_reply_status_t status,
                                          __NAME___list_u8_t *body) {
  (void)request;
  (void)status;
  __NAME___list_u8_free(body);
}

void exports_keel_kernel_handler_on_event(keel_string_t *topic, keel_string_t *sender, __NAME___list_u8_t *body) {
  keel_string_free(topic);
  keel_string_free(sender);
  __NAME___list_u8_free(body);
}

void exports_keel_kernel_handler_on_signal(keel_kernel_types_signal_t signal) {
  if (signal == KEEL_KERNEL_TYPES_SIGNAL_TERM) info("terminating");
}

/* A direct call from the embedder: the input, greeted. */
void exports_keel_kernel_handler_handle(__NAME___list_u8_t *input, __NAME___list_u8_t *ret) {
  char answer[256];
  int n = snprintf(answer, sizeof answer, "hello, %.*s", (int)input->len, input->ptr);
  keel_string_t copy = keel_string_copy(answer, (size_t)n);
  ret->ptr = copy.ptr;
  ret->len = copy.len;
  __NAME___list_u8_free(input);
}
