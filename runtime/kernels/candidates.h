/* One query of the candidates kernel: the functions whose MinHash signatures
 * agree with function i's in enough positions, best first. */
#ifndef ACCELSTRAT_KERNELS_CANDIDATES_H
#define ACCELSTRAT_KERNELS_CANDIDATES_H

#include <stdint.h>

#include <accelstrat/kernels.h>

#include "as_hd.h"

/* Equal positions of two signatures: K times their estimated Jaccard
 * similarity. */
AS_HD uint32_t as_signature_matches(const as_signature *x,
                                    const as_signature *y) {
  uint32_t matches = 0;
  for (uint32_t k = 0; k < AS_MINHASH_K; k++) matches += x->h[k] == y->h[k];
  return matches;
}

/* Adds (index, matches) to the list c[0, *count), kept sorted by matches
 * descending then index ascending and at most limit long. Indices arrive in
 * ascending order, so a newcomer goes after the entries with as many matches.
 */
AS_HD void as__candidates_insert(as_candidate *c, uint32_t *count,
                                 uint32_t limit, uint32_t index,
                                 uint32_t matches) {
  uint32_t pos = *count;
  while (pos > 0 && c[pos - 1].matches < matches) pos--;
  if (pos >= limit) return;
  uint32_t last = *count < limit ? *count : limit - 1;
  for (uint32_t k = last; k > pos; k--) c[k] = c[k - 1];
  c[pos].index = index;
  c[pos].matches = matches;
  if (*count < limit) ++*count;
}

/* Fills out with the candidates of query i among hdr->n signatures. max_out is
 * clamped to AS_CANDIDATES_MAX; unused entries and reserved fields are zero so
 * the output bytes depend only on the inputs. */
AS_HD void as_candidates_query(const as_candidates_shared *hdr,
                               const as_signature *sigs, uint32_t i,
                               as_candidates_out *out) {
  uint32_t limit =
      hdr->max_out < AS_CANDIDATES_MAX ? hdr->max_out : AS_CANDIDATES_MAX;
  out->count = 0;
  out->reserved = 0;
  for (uint32_t k = 0; k < AS_CANDIDATES_MAX; k++) {
    out->c[k].index = 0;
    out->c[k].matches = 0;
  }
  for (uint32_t j = 0; j < hdr->n; j++) {
    if (j == i) continue;
    uint32_t matches = as_signature_matches(&sigs[i], &sigs[j]);
    if (matches >= hdr->min_matches)
      as__candidates_insert(out->c, &out->count, limit, j, matches);
  }
}

#endif
