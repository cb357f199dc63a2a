/*
 * The SDK probe in C (docs/sdk-probe.md has the behaviour every language's probe follows).
 * Built with `keel build guests/sdk-probe/c`: Debian's clang and wasi-libc, Keel's C bindings
 * of ../world.wit, the preview1 reactor adapter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static void log_text(keel_kernel_log_level_t level, const char *text, size_t len) {
  keel_string_t message = {(uint8_t *)text, len};
  keel_kernel_log_log(level, &message);
}

static void log_c(const char *text) { log_text(KEEL_KERNEL_LOG_LEVEL_INFO, text, strlen(text)); }

/* An owned list<u8> holding a copy of a C string. */
static probe_list_u8_t bytes_of(const char *text) {
  keel_string_t s = keel_string_dup(text);
  return (probe_list_u8_t){s.ptr, s.len};
}

static const char *ERROR_NAMES[] = {"capability-denied", "message-too-large", "mailbox-full",
                                    "no-such-target",    "timeout",           "killed",
                                    "invalid-argument"};

/* A command's words: "verb rest", split at the first space. */
static char *split(char *text) {
  char *space = strchr(text, ' ');
  if (!space) return text + strlen(text);
  *space = 0;
  return space + 1;
}

static char *format(const char *fmt, const char *a, const char *b) {
  size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
  char *out = malloc(n);
  snprintf(out, n, fmt, a, b);
  return out;
}

/* Run one command; returns a malloc'd answer. */
static char *run(char *command) {
  char *arg = split(command);
  if (strcmp(command, "log") == 0) {
    log_c(arg);
    return strdup("ok");
  }
  if (strcmp(command, "env") == 0) {
    const char *value = getenv(arg);
    return strdup(value ? value : "(unset)");
  }
  if (strcmp(command, "read") == 0) {
    FILE *f = fopen(arg, "rb");
    if (!f) return strdup("(no file)");
    char buffer[4096];
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    fclose(f);
    buffer[n] = 0;
    return strdup(buffer);
  }
  if (strcmp(command, "write") == 0) {
    char *text = split(arg);
    FILE *f = fopen(arg, "wb");
    if (!f) return strdup("(cannot write)");
    fputs(text, f);
    fclose(f);
    return strdup("ok");
  }
  if (strcmp(command, "send") == 0 || strcmp(command, "request") == 0 || strcmp(command, "publish") == 0) {
    char *text = split(arg);
    keel_string_t target = keel_string(arg);
    probe_list_u8_t body = {(uint8_t *)text, strlen(text)};
    if (strcmp(command, "request") == 0) {
      probe_result_u64_keel_kernel_types_error_code_t result;
      keel_kernel_ipc_request(&target, &body, 5000, &result);
      if (result.is_err) return format("err=%s%s", ERROR_NAMES[result.val.err], "");
      char id[32];
      snprintf(id, sizeof id, "%llu", (unsigned long long)result.val.ok);
      return format("id=%s%s", id, "");
    }
    probe_result_void_keel_kernel_types_error_code_t result;
    if (strcmp(command, "send") == 0) keel_kernel_ipc_send(&target, &body, &result);
    else keel_kernel_events_publish(&target, &body, &result);
    return result.is_err ? format("err=%s%s", ERROR_NAMES[result.val.err], "") : strdup("ok");
  }
  if (strcmp(command, "subscribe") == 0) {
    keel_string_t pattern = keel_string(arg);
    probe_result_void_keel_kernel_types_error_code_t result;
    keel_kernel_events_subscribe(&pattern, &result);
    return result.is_err ? format("err=%s%s", ERROR_NAMES[result.val.err], "") : strdup("ok");
  }
  if (strcmp(command, "self") == 0) {
    keel_string_t id;
    keel_kernel_self_id(&id);
    char *out = keel_string_cstr(&id);
    keel_string_free(&id);
    return out;
  }
  if (strcmp(command, "counter") == 0) {
    /* The host's counter resource: construct, call methods, a static function, drop. */
    keel_sdk_probe_types_own_counter_t a = keel_sdk_probe_types_constructor_counter(5);
    uint32_t added = keel_sdk_probe_types_method_counter_add(keel_sdk_probe_types_borrow_counter(a), 3);
    keel_sdk_probe_types_own_counter_t b = keel_sdk_probe_types_constructor_counter(10);
    keel_sdk_probe_types_own_counter_t merged = keel_sdk_probe_types_static_counter_merge(
        keel_sdk_probe_types_borrow_counter(a), keel_sdk_probe_types_borrow_counter(b));
    uint32_t total = keel_sdk_probe_types_method_counter_value(keel_sdk_probe_types_borrow_counter(merged));
    keel_sdk_probe_types_counter_drop_own(a);
    keel_sdk_probe_types_counter_drop_own(b);
    keel_sdk_probe_types_counter_drop_own(merged);
    char out[32];
    snprintf(out, sizeof out, "%u %u", added, total);
    return strdup(out);
  }
  if (strcmp(command, "exit") == 0) exit(atoi(arg));
  if (strcmp(command, "trap") == 0) __builtin_trap();
  return format("unknown command: %s%s", command, "");
}

/* keel:kernel/handler */

void exports_keel_kernel_handler_handle(probe_list_u8_t *input, probe_list_u8_t *ret) {
  keel_string_t text = {input->ptr, input->len};
  char *command = keel_string_cstr(&text);
  probe_list_u8_free(input);
  char *answer = run(command);
  *ret = bytes_of(answer);
  free(answer);
  free(command);
}

void exports_keel_kernel_handler_on_message(keel_string_t *sender, probe_list_u8_t *body, uint64_t request) {
  keel_string_t text = {body->ptr, body->len};
  char *s = keel_string_cstr(sender);
  char *b = keel_string_cstr(&text);
  char *line = format("msg %s %s", s, b);
  log_c(line);
  if (request != 0) {
    char *answer = format("echo %s%s", b, "");
    probe_list_u8_t reply = {(uint8_t *)answer, strlen(answer)};
    probe_result_void_keel_kernel_types_error_code_t result;
    keel_kernel_ipc_reply(request, &reply, &result);
    free(answer);
  } else {
    free(run(b));
  }
  free(line);
  free(b);
  free(s);
  keel_string_free(sender);
  probe_list_u8_free(body);
}

void exports_keel_kernel_handler_on_reply(uint64_t request, keel_kernel_types_reply_status_t status,
                                          probe_list_u8_t *body) {
  static const char *STATUS[] = {"ok", "timeout", "killed"};
  (void)request;
  keel_string_t text = {body->ptr, body->len};
  char *b = keel_string_cstr(&text);
  char *line = format("reply %s %s", STATUS[status], b);
  log_c(line);
  free(line);
  free(b);
  probe_list_u8_free(body);
}

void exports_keel_kernel_handler_on_event(keel_string_t *topic, keel_string_t *sender, probe_list_u8_t *body) {
  keel_string_t text = {body->ptr, body->len};
  char *t = keel_string_cstr(topic);
  char *b = keel_string_cstr(&text);
  char *line = format("event %s %s", t, b);
  log_c(line);
  free(line);
  free(b);
  free(t);
  keel_string_free(topic);
  keel_string_free(sender);
  probe_list_u8_free(body);
}

void exports_keel_kernel_handler_on_signal(keel_kernel_types_signal_t signal) {
  char line[32];
  snprintf(line, sizeof line, "signal %d", signal);
  log_c(line);
}

/*
 * keel:sdk-probe/types: each export hands its argument to the host's import of the same
 * function and returns what came back. The exported and imported types are distinct C types
 * with the same layout, so the casts are exact.
 */
#define ECHO(name, type, itype, free_argument)                                      \
  void exports_keel_sdk_probe_types_echo_##name(type *v, type *ret) {               \
    keel_sdk_probe_types_echo_##name((const itype *)v, (itype *)ret);                \
    /* The argument is ours: free it now that the host has sent back its own copy. */ \
    free_argument;                                                                   \
  }

ECHO(scalars, exports_keel_sdk_probe_types_scalars_t, keel_sdk_probe_types_scalars_t, (void)v)
ECHO(string, keel_string_t, keel_string_t, keel_string_free(v))
ECHO(bytes, probe_list_u8_t, probe_list_u8_t, probe_list_u8_free(v))
ECHO(strings, probe_list_string_t, probe_list_string_t, probe_list_string_free(v))
ECHO(points, probe_list_exports_keel_sdk_probe_types_point_t, probe_list_keel_sdk_probe_types_point_t,
     probe_list_exports_keel_sdk_probe_types_point_free(v))
ECHO(nested, probe_list_list_u32_t, probe_list_list_u32_t, probe_list_list_u32_free(v))
ECHO(shape, exports_keel_sdk_probe_types_shape_t, keel_sdk_probe_types_shape_t,
     exports_keel_sdk_probe_types_shape_free(v))
ECHO(option, probe_option_string_t, probe_option_string_t, probe_option_string_free(v))
ECHO(option_option, probe_option_option_u32_t, probe_option_option_u32_t, (void)v)
ECHO(result, probe_result_exports_keel_sdk_probe_types_id_string_t, probe_result_keel_sdk_probe_types_id_string_t,
     probe_result_exports_keel_sdk_probe_types_id_string_free(v))
ECHO(result_empty, probe_result_void_void_t, probe_result_void_void_t, (void)v)
ECHO(tuple, probe_tuple3_bool_string_f64_t, probe_tuple3_bool_string_f64_t, probe_tuple3_bool_string_f64_free(v))

exports_keel_sdk_probe_types_color_t exports_keel_sdk_probe_types_echo_color(exports_keel_sdk_probe_types_color_t v) {
  return keel_sdk_probe_types_echo_color(v);
}

exports_keel_sdk_probe_types_perms_t exports_keel_sdk_probe_types_echo_perms(exports_keel_sdk_probe_types_perms_t v) {
  return keel_sdk_probe_types_echo_perms(v);
}

void exports_keel_sdk_probe_types_echo_many(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f,
                                            uint32_t g, uint32_t h, uint32_t i, uint32_t j, uint32_t k, uint32_t l,
                                            uint32_t m, uint32_t n, uint32_t o, uint32_t p, keel_string_t *q,
                                            keel_string_t *ret) {
  keel_sdk_probe_types_echo_many(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, ret);
  keel_string_free(q);
}

/* The guest's own counter resource (the exported one). */
struct exports_keel_sdk_probe_types_counter {
  uint32_t value;
};

exports_keel_sdk_probe_types_own_counter_t exports_keel_sdk_probe_types_constructor_counter(uint32_t start) {
  exports_keel_sdk_probe_types_counter_t *rep = malloc(sizeof *rep);
  rep->value = start;
  return exports_keel_sdk_probe_types_counter_new(rep);
}

uint32_t exports_keel_sdk_probe_types_method_counter_add(exports_keel_sdk_probe_types_counter_t *self, uint32_t n) {
  return self->value += n;
}

uint32_t exports_keel_sdk_probe_types_method_counter_value(exports_keel_sdk_probe_types_counter_t *self) {
  return self->value;
}

exports_keel_sdk_probe_types_own_counter_t exports_keel_sdk_probe_types_static_counter_merge(
    exports_keel_sdk_probe_types_counter_t *a, exports_keel_sdk_probe_types_counter_t *b) {
  return exports_keel_sdk_probe_types_constructor_counter(a->value + b->value);
}

void exports_keel_sdk_probe_types_counter_destructor(exports_keel_sdk_probe_types_counter_t *rep) { free(rep); }
