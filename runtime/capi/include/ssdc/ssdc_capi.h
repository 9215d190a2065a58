/* ssdc_capi.h: a small C interface over the ssdc runtime (CUDA device), for
 * in-process benchmarks and checks from Python (ctypes) or C.
 *
 * Every function returns 0 on success and -1 on failure; the failure's message
 * is then in ssdc_last_error() (per thread, valid until the next call on that
 * thread). No C++ exception crosses this boundary.
 *
 * Token ids are int64 [batch, length], row-major. Logits come back as f32.
 * Sessions (device-resident states, runtime/cuda/CudaExecutor.h) are kept per
 * batch size inside the handle and reused, so arenas and CUDA graphs are
 * planned once per (entry, batch, length) as in `ssdc generate`.
 */
#ifndef SSDC_CAPI_H
#define SSDC_CAPI_H

#include <stddef.h>
#include <stdint.h>

#if defined(SSDC_CAPI_BUILDING) && defined(__GNUC__)
#define SSDC_CAPI __attribute__((visibility("default")))
#else
#define SSDC_CAPI
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ssdc_model ssdc_model;

/* The C API's version; bumped when a signature changes. */
SSDC_CAPI int ssdc_capi_version(void);

/* Loads an artifact and its weights (a model directory or a .safetensors
 * file) on `device` ("cuda"). On failure returns NULL and writes the message
 * into err[errlen] (when err is not NULL) and ssdc_last_error(). */
SSDC_CAPI ssdc_model *ssdc_open(const char *artifact, const char *weights, const char *device,
                      char *err, size_t errlen);
SSDC_CAPI void ssdc_close(ssdc_model *m);

SSDC_CAPI const char *ssdc_last_error(void);

/* The vocabulary size (logits per position); 0 if the manifest has none. */
SSDC_CAPI int64_t ssdc_vocab(const ssdc_model *m);

/* The device's name into buf[buflen]. */
SSDC_CAPI int ssdc_device_name(ssdc_model *m, char *buf, size_t buflen);

/* Synchronise after every launch (1: errors name their launch, outputs are
 * NaN-poisoned before every launch) or not (0, the runtime's default unless
 * SSDC_CUDA_SYNC=1 is in the environment). */
SSDC_CAPI int ssdc_set_synchronous(ssdc_model *m, int on);

/* Prefill `batch` prompts of `len` tokens from empty states. Writes logits
 * [batch, last_only ? 1 : len, vocab] into out. */
SSDC_CAPI int ssdc_prefill_logits(ssdc_model *m, const int64_t *ids, int64_t batch, int64_t len,
                        int last_only, float *out);

/* Times `iters` prefills (last position's logits back to the host, as
 * generation does) after `warmup` untimed ones. graph != 0 replays a CUDA
 * graph of the entry (captured on the second call). times_ms[iters] gets
 * each call's host wall time in ms (the call ends with a stream sync). */
SSDC_CAPI int ssdc_time_prefill(ssdc_model *m, const int64_t *ids, int64_t batch, int64_t len,
                      int iters, int warmup, int graph, double *times_ms);

/* Greedy generation: prefill ids [batch, len], then n_new - 1 decode steps
 * (graph != 0: CUDA graph replays, as `ssdc generate`). tokens[batch * n_new]
 * gets the new tokens, row-major per sequence. step_ms[n_new - 1] (may be
 * NULL) gets each decode step's host wall time (runtime call: upload ids,
 * run, last logits to the host); argmax_ms[n_new - 1] (may be NULL) the host
 * argmax after it. prefill_ms (may be NULL) the prefill's. */
SSDC_CAPI int ssdc_decode(ssdc_model *m, const int64_t *ids, int64_t batch, int64_t len,
                int64_t n_new, int graph, int64_t *tokens, double *step_ms,
                double *argmax_ms, double *prefill_ms);

/* More greedy decode steps of the `batch` sequences an earlier ssdc_decode of
 * that batch size left in its session: `last[batch]` are the tokens to feed
 * first (e.g. the last column of that call's tokens). tokens[batch * n_steps]
 * gets the new tokens; step_ms[n_steps] (may be NULL) each step's host wall
 * time (runtime call only). For profiles of decode steps alone. */
SSDC_CAPI int ssdc_decode_more(ssdc_model *m, int64_t batch, const int64_t *last,
                               int64_t n_steps, int graph, int64_t *tokens, double *step_ms);

/* Which function of the plan runs `entry` ("prefill" / "decode") at `length`
 * and with what SSD schedules, as JSON into buf[buflen]:
 * {"function": "prefill__L2_64", "l_min": 2, "l_max": 64, "launches": 244,
 *  "schedules": {"quadratic": 24}, "kernels": {"linear": 49, ...}}
 * A schedule is "recurrent", "quadratic" or "chunked-Q" (from the launch
 * attributes: {"schedule": {"kind", "chunk_size"}} or the chunk_size of the
 * four-stage chunked kernels). */
SSDC_CAPI int ssdc_schedule_for(ssdc_model *m, const char *entry, int64_t length, char *buf,
                      size_t buflen);

/* Median time of copying `bytes` from device memory to pageable host memory
 * (what a step's logits cost), over `iters` copies. */
SSDC_CAPI int ssdc_time_d2h(ssdc_model *m, int64_t bytes, int iters, double *median_ms);

#ifdef __cplusplus
}
#endif

#endif /* SSDC_CAPI_H */
