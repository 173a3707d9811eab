# Changes to the whisper.cpp that whisper-rs-sys builds, applied while
# CMake configures it (.cargo/config.toml points CMAKE_PROJECT_INCLUDE here).
# whisper-rs-sys copies whisper.cpp into its build folder first, so only that
# copy changes; the registry's sources stay as they are. None changes what
# is computed, only how (transcripts of the fixtures identical; a word time
# may move by one 20 ms frame and token probabilities in the third decimal,
# from a different order of additions, or, with 12, from products no longer
# rounded to f16 on the way in).
#
# 1-3. The decoder's vocabulary product only for the rows whose logits are
#   read. whisper.cpp computes the logits of every token of a batch and keeps
#   the last row's. Batches of many tokens come twice per window: the prompt
#   (about 40 tokens with vmcoach's built-in prompt) and the DTW pass over the
#   segment's tokens for word times; each row is a 384 x 51864 product for
#   tiny.en.
# 4. The encoder's attention with its keys padded to a multiple of 16 (zero
#   in V, masked out of the softmax). softmax x V has the number of keys as
#   its inner length, 1500 for a full window, and ggml's tiled AVX-512
#   kernels take only multiples of 16; otherwise it runs as dot products.
#   And one head at a time: the scores of all heads at once (1500 x 1504
#   floats a head, 54 MB for tiny.en's six) were most of the encoder's
#   buffer, resident in every process that hears audio.
# 5. A fix: DTW's walk over the segments' tokens stepped past the last
#   segment when its last token got a time, and read a segment that is not
#   there; now and then that was a segfault (seen once in tests/batch.rs).
# 6. A decode of a tree of tokens, on request (vmcoach_whisper_tree, for
#   the next decode on the calling thread): the number recount scores many
#   readings that begin alike (transcribe/whisper/score.rs). Every node with
#   children is decoded once, up to 32 to a batch, each seeing only its
#   ancestors (a sequence of the cache's cells per node); what comes back is
#   each node's log-probability. A decode of one token at a time reads the
#   whole 51,864 x 384 vocabulary product per token; a batch reads it once.
# 7. The encoder can be given up part way: whisper.cpp checks the abort
#   callback only once an encoder pass is over, which on one thread of a slow
#   CPU is more than a second after the take ends (the live engine stops its
#   worker then, pipeline/live.rs). The callback whisper_encode_internal is
#   given now also reaches the CPU backend, which checks it between graph
#   nodes; an aborted encode fails as an aborted decode does. And the
#   encodes and decodes given no callback (the number pass's own, through
#   whisper_encode_with_state and whisper_decode_with_state) take the one
#   vmcoach_whisper_abort_with set on the calling thread: the live worker's
#   hearing of a number is given up at the stop too.
# 8. An encoding kept and given back: the number pass weighs a number's
#   readings on the encoding of the window it is in after the number's
#   audio alone has taken the state's place (transcribe/whisper/again.rs).
#   vmcoach_whisper_last_state names the state the last encode on this
#   thread ran on; vmcoach_whisper_cross_get copies its cross-attention
#   cache out, and vmcoach_whisper_cross_set puts one back, with the
#   window's size. whisper.cpp has no way to reach a state's cache.
# 9. The self-attention cache of a beam search sized by what its decoders
#   can hold. whisper.cpp gives n decoders (n + 2) x 512 cells against
#   fragmentation, 22 MB for a beam of 5 with tiny.en, all of it cleared
#   (touched) before every window; the number heard alone is a beam of 5
#   and was the process's peak. A decoder holds at most its prompt and
#   n_text_ctx / 2 - 4 tokens, and the prompt is shared, so (n + 2) x
#   (prompt + n_text_ctx / 2) cells can never run out, however the cells
#   fragment; with a short prompt that is about half. A window whose prompt
#   needs more makes the cache again, as a larger beam does.
# 10. A greedy decoding caught in a loop ends at once. whisper.cpp lets it
#   run to the window's token limit (about 220 tokens, a second and more on
#   2 cores) and only then judges it: failed (decoded again at a higher
#   temperature) unless its last timestamp is past half the window, in which
#   case the text up to that timestamp is kept. tiny.en loops so on some
#   takes ("Pre-e-e-e-e-..."). Now, at temperature 0, that judgement comes
#   as soon as the last 32 tokens repeat a unit of at most 8 tokens (one said
#   4 times or more, which no message does). The outcome is whisper.cpp's
#   own, but for a loop that would have broken off before the limit. (At a
#   higher temperature every token draws from the random generator, and
#   ending sooner would change the next temperature's draws.)
# 11. The threads of a call under way changed from another thread. The live
#   engine's worker hears the take on all cores but one while it is
#   recorded; when the take ends, a hearing under way is often let finish,
#   and it went on with one thread while the other core was idle.
#   vmcoach_whisper_threads_from(count) points the calling thread's graph
#   computes at a thread count that another thread may change; each graph
#   (the encoder's, every decoder step's) takes the count it holds when it
#   starts, unless it is 0. Set by transcribe/whisper for the length of each
#   call; pipeline/live.rs raises the count at the stop.
# 12. (in ggml-cpu/llamafile/sgemm.cpp) f16 weights times f32 activations
#   in the AVX2 tiled kernels; see the end of this file.
# 13. (in ggml's softmax) The encoder's softmax, about 7 % of a
#   transcription, without its two slow steps; see the end of this file.
# 14. (in ggml's matrix-vector products) f16 rows times one column with the
#   column widened to f32 once, not once a row; see the end of this file.
# 15. The DFT at the leaves of whisper.cpp's FFT for the mel spectrogram (a
#   400-point FFT splits down to 16 DFTs of 25 points a frame): each k's
#   sum was a chain of dependent additions, k after k, with an index taken
#   modulo 400 for every term (3 % of a transcription in a profile). Now
#   every k is summed at once for each n, from a table of the same cosines
#   and sines, so that the compiler can put the k in vector lanes. Each
#   k's terms are added in the same order as before: the same mel to the
#   bit.
# 16. (in 6) The tree decoded best first when only the best texts are
#   wanted: the recount needs the scores of its best five readings, not of
#   all (up to 150). A node's sum of log-probabilities bounds every text
#   below it, so the nodes whose sum is already below the fifth best text's
#   are not decoded; the most likely go first, a few a batch. Scoring
#   application-bad-generic-rms's 63 readings takes half the time; the best
#   texts' log-probabilities are the same but for rounding (rows batched
#   otherwise).
# 17. Each call's decoders start from the same random state. whisper.cpp's
#   beam search draws each beam's candidates from the model's distribution
#   with the decoder's random generator (at temperature 0 too), and
#   reseeds the generators of decoders 1 and up for every call, but decoder
#   0's only when the state is made. So what a number heard alone (a beam
#   of five) wrote could depend on what had been heard on the same state
#   before: the same cut heard otherwise later in a process, or live and
#   after the stop. Now a hearing depends on its audio only. (On the number
#   sets and the fixtures no hearing changed: the draws mostly fall on the
#   most likely tokens.)
# 18. (in ggml-cpu/llamafile/sgemm.cpp) A tile's sums taken four at a
#   time; see the end of this file.
# 19. (in 4) K x Q on the f16 x f32 kernel without AVX-512; see the end of
#   this file.
#
# Each piece of text to replace must be found exactly once, or the build
# stops here: a new whisper-rs-sys needs this file looked at again.
# src/transcribe/whisper's tests check the marker it adds to the system info.

include_guard(GLOBAL)

set(_vmcoach_mark "VMCOACH_PATCH")

# Reads PATH (in whisper.cpp's folder) into _vmcoach_src; _vmcoach_done is
# -1 unless an earlier configure patched it already.
macro(_vmcoach_open path)
    set(_vmcoach_file "${CMAKE_SOURCE_DIR}/${path}")
    file(READ "${_vmcoach_file}" _vmcoach_src)
    string(FIND "${_vmcoach_src}" "${_vmcoach_mark}" _vmcoach_done)
endmacro()

macro(_vmcoach_write)
    file(WRITE "${_vmcoach_file}" "${_vmcoach_src}")
    message(STATUS "vmcoach: patched ${_vmcoach_file}")
endmacro()

function(_vmcoach_replace old new)
    string(FIND "${_vmcoach_src}" "${old}" _first)
    string(FIND "${_vmcoach_src}" "${old}" _last REVERSE)
    if(_first EQUAL -1 OR NOT _first EQUAL _last)
        message(FATAL_ERROR
            "patches/whisper-cpp.cmake: the text to replace is not in ${_vmcoach_file} "
            "exactly once; update the patch for this whisper.cpp:\n${old}")
    endif()
    string(REPLACE "${old}" "${new}" _out "${_vmcoach_src}")
    set(_vmcoach_src "${_out}" PARENT_SCOPE)
endfunction()

_vmcoach_open("src/whisper.cpp")
if(_vmcoach_done EQUAL -1)

    # 1. In the decoder's graph: keep only the rows asked for before the product.
    _vmcoach_replace(
"    struct ggml_tensor * logits = ggml_mul_mat(ctx0, model.d_te, cur);
"
"    // VMCOACH_PATCH: only the rows whose logits are read.
    if (!worst_case) {
        int n_outputs = 0;
        for (int i = 0; i < n_tokens; ++i) {
            n_outputs += batch.logits[i] != 0;
        }
        if (n_outputs > 0 && n_outputs < n_tokens) {
            struct ggml_tensor * out_ids = ggml_new_tensor_1d(ctx0, GGML_TYPE_I32, n_outputs);
            ggml_set_name(out_ids, \"vmcoach_out_ids\");
            ggml_set_input(out_ids);
            cur = ggml_get_rows(ctx0, cur, out_ids);
        }
    }

    struct ggml_tensor * logits = ggml_mul_mat(ctx0, model.d_te, cur);
")

    # 2. When the decoder runs: which rows those are.
    _vmcoach_replace(
"            ggml_backend_tensor_set(embd, batch.token, 0, n_tokens*ggml_element_size(embd));
        }
"
"            ggml_backend_tensor_set(embd, batch.token, 0, n_tokens*ggml_element_size(embd));
        }

        if (struct ggml_tensor * out_ids = ggml_graph_get_tensor(gf, \"vmcoach_out_ids\")) {
            std::vector<int32_t> ids;
            for (int i = 0; i < n_tokens; ++i) {
                if (batch.logits[i]) {
                    ids.push_back(i);
                }
            }
            ggml_backend_tensor_set(out_ids, ids.data(), 0, ids.size()*sizeof(int32_t));
        }
")

    # 3. Reading the logits: row by row of what was computed.
    _vmcoach_replace(
"    for (int i = 0; i < n_tokens; i++) {
        if (batch.logits[i] == 0) {
            continue;
        }
        ggml_backend_tensor_get(logits, logits_out.data() + (n_vocab*i), sizeof(float)*(n_vocab*i), sizeof(float)*n_vocab);
    }
"
"    const bool compact = logits->ne[1] < n_tokens;
    for (int i = 0, row = 0; i < n_tokens; i++) {
        if (batch.logits[i] == 0) {
            continue;
        }
        const int src = compact ? row++ : i;
        ggml_backend_tensor_get(logits, logits_out.data() + (n_vocab*i), sizeof(float)*(n_vocab*src), sizeof(float)*n_vocab);
    }
")

    # 4. In the encoder's attention: keys padded for the tiled kernels.
    _vmcoach_replace(
"                struct ggml_tensor * K =
                    ggml_permute(ctx0,
                            ggml_cast(ctx0,
                                ggml_reshape_3d(ctx0, Kcur, n_state_head, n_head, n_ctx),
                                wctx.itype),
                            0, 2, 1, 3);

                // K * Q
                struct ggml_tensor * KQ = ggml_mul_mat(ctx0, K, Q);

                struct ggml_tensor * KQ_soft_max = ggml_soft_max_ext(ctx0, KQ, nullptr, KQscale, 0.0f);

                struct ggml_tensor * V =
                    ggml_cast(ctx0,
                            ggml_permute(ctx0,
                                ggml_reshape_3d(ctx0,
                                    Vcur,
                                    n_state_head, n_head, n_ctx),
                                1, 2, 0, 3),
                            wctx.itype);

                struct ggml_tensor * KQV = ggml_mul_mat(ctx0, V, KQ_soft_max);
"
"                // VMCOACH_PATCH: the keys padded to a multiple of 16 (zero in V and
                // masked out of the softmax), so that softmax x V, whose inner length is
                // the number of keys, runs on the tiled kernels instead of dot products.
                const int n_kv = GGML_PAD(n_ctx, 16);
                struct ggml_tensor * Kp = ggml_reshape_3d(ctx0, Kcur, n_state_head, n_head, n_ctx);
                struct ggml_tensor * Vp = ggml_reshape_3d(ctx0, Vcur, n_state_head, n_head, n_ctx);
                struct ggml_tensor * kv_mask = nullptr;
                if (n_kv > n_ctx) {
                    Kp = ggml_pad(ctx0, Kp, 0, 0, n_kv - n_ctx, 0);
                    Vp = ggml_pad(ctx0, Vp, 0, 0, n_kv - n_ctx, 0);
                    kv_mask = ggml_get_tensor(ctx0, \"vmcoach_kv_mask\");
                    if (kv_mask == nullptr) {
                        kv_mask = ggml_arange(ctx0, 0.0f, (float) n_kv, 1.0f);
                        kv_mask = ggml_step(ctx0, ggml_scale_bias(ctx0, kv_mask, 1.0f, 0.5f - (float) n_ctx));
                        // One row, which every row of scores takes (13, below).
                        kv_mask = ggml_scale(ctx0, kv_mask, -1e30f);
                        ggml_set_name(kv_mask, \"vmcoach_kv_mask\");
                    }
                }

                struct ggml_tensor * K = ggml_permute(ctx0, ggml_cast(ctx0, Kp, wctx.itype), 0, 2, 1, 3);
                struct ggml_tensor * V = ggml_cast(ctx0, ggml_permute(ctx0, Vp, 1, 2, 0, 3), wctx.itype);

                // VMCOACH_PATCH: one head at a time, so that only its scores (n_kv x n_ctx
                // floats, 9 MB for a full window) are held at once rather than every
                // head's: the encoder's buffer shrinks by that much. Each head is
                // computed as before; the heads' outputs are joined in order.
                struct ggml_tensor * KQV = nullptr;
                for (int h = 0; h < n_head; ++h) {
                    struct ggml_tensor * Kh = ggml_view_3d(ctx0, K, K->ne[0], K->ne[1], 1, K->nb[1], K->nb[2], h*K->nb[2]);
                    struct ggml_tensor * Qh = ggml_view_3d(ctx0, Q, Q->ne[0], Q->ne[1], 1, Q->nb[1], Q->nb[2], h*Q->nb[2]);
                    // VMCOACH_PATCH 19: without AVX-512, the head's queries made contiguous,
                    // so that K x Q runs on the f16 x f32 tiled kernel (12) instead of
                    // having them rounded to f16 first and widened again in the loop.
                    if (!ggml_cpu_has_avx512()) {
                        Qh = ggml_cont(ctx0, Qh);
                    }
                    struct ggml_tensor * Vh = ggml_view_3d(ctx0, V, V->ne[0], V->ne[1], 1, V->nb[1], V->nb[2], h*V->nb[2]);

                    // K * Q
                    struct ggml_tensor * KQ = ggml_mul_mat(ctx0, Kh, Qh);

                    struct ggml_tensor * KQ_soft_max = ggml_soft_max_ext(ctx0, KQ, kv_mask, KQscale, 0.0f);

                    struct ggml_tensor * KQVh = ggml_mul_mat(ctx0, Vh, KQ_soft_max);
                    KQV = KQV == nullptr ? KQVh : ggml_concat(ctx0, KQV, KQVh, 2);
                }
")

    # 5. DTW word times: do not walk past the last segment.
    _vmcoach_replace(
"    // Place timestamps on segments
    int32_t last_v = 0;
    auto seg_i = state->result_all.begin() + i_segment;
    auto tok_i = seg_i->tokens.begin();
    for (int i = 0; i < alignment->ne[1]; ++i) {
        int32_t v = whisper_get_i32_nd(alignment, 0, i, 0, 0);
        if (v != last_v) {
            int32_t time_index = whisper_get_i32_nd(alignment, 1, i, 0, 0);
            int64_t timestamp = (time_index * 2) + seek; // Each index on DTW result = 20mS audio
            last_v = v;

            // Skip non-text tokens
            while (!(tok_i->id < whisper_token_eot(ctx))) {
                ++tok_i;
                if (tok_i == seg_i->tokens.end()) {
                    ++seg_i;
                    tok_i = seg_i->tokens.begin();
                }
            }

            tok_i->t_dtw = timestamp;
            ++tok_i;
            if (tok_i == seg_i->tokens.end()) {
                ++seg_i;
                tok_i = seg_i->tokens.begin();
            }
        }
    }
"
"    // Place timestamps on segments
    // VMCOACH_PATCH: the walk stops at the last segment's end. It used to step
    // past it and read the tokens of a segment that is not there (a segfault
    // when result_all ends at a page boundary).
    int32_t last_v = 0;
    auto seg_i = state->result_all.begin() + i_segment;
    const auto seg_end = state->result_all.end();
    auto tok_i = seg_i->tokens.begin();
    auto past_last = [&]() {
        while (tok_i == seg_i->tokens.end()) {
            if (++seg_i == seg_end) {
                return true;
            }
            tok_i = seg_i->tokens.begin();
        }
        return false;
    };
    for (int i = 0; i < alignment->ne[1]; ++i) {
        int32_t v = whisper_get_i32_nd(alignment, 0, i, 0, 0);
        if (v != last_v) {
            int32_t time_index = whisper_get_i32_nd(alignment, 1, i, 0, 0);
            int64_t timestamp = (time_index * 2) + seek; // Each index on DTW result = 20mS audio
            last_v = v;

            // Skip non-text tokens
            bool done = past_last();
            while (!done && !(tok_i->id < whisper_token_eot(ctx))) {
                ++tok_i;
                done = past_last();
            }
            if (done) {
                break;
            }

            tok_i->t_dtw = timestamp;
            ++tok_i;
        }
    }
")

    # 6. Texts that begin alike scored together: vmcoach_whisper_tree(parents,
    #   log_probs) makes the next whisper_decode_with_state on the calling
    #   thread take its tokens as a tree rather than a sequence (see
    #   vmcoach_decode_tree). Only for that one call; whisper.cpp's own
    #   decoding is as before.
    _vmcoach_replace(
"int whisper_decode_with_state(struct whisper_context * ctx, struct whisper_state * state, const whisper_token * tokens, int n_tokens, int n_past, int n_threads) {
    whisper_batch_prep_legacy(state->batch, tokens, n_tokens, n_past, 0);
"
"// VMCOACH_PATCH: the tree the next decode on this thread is given.
static thread_local const int32_t * vmcoach_tree_parents = nullptr;
static thread_local const uint8_t * vmcoach_tree_ends = nullptr;
static thread_local int32_t vmcoach_tree_best = 0;
static thread_local double * vmcoach_tree_log_probs = nullptr;
extern \"C\" WHISPER_API void vmcoach_whisper_tree(const int32_t * parents, const uint8_t * ends, int32_t best, double * log_probs) {
    vmcoach_tree_parents = parents;
    vmcoach_tree_ends = ends;
    vmcoach_tree_best = best;
    vmcoach_tree_log_probs = log_probs;
}
// VMCOACH_PATCH: the tokens as a tree. Node 0 comes after the n_past cells
// of sequence 0, every other node after its parent (parents[i] < i, -1 for
// node 0); ends[i] is 1 where a text ends. Writes each node's log-probability
// given the nodes above it (0 for node 0, minus infinity where not
// computed). Only nodes with children are decoded, up to 32 in one batch, so
// that the vocabulary's product is read once per batch rather than once per
// node. Node i decoded has sequence vmcoach_seq_first + i: its cell and the
// cells above it hold it, so the attention mask lets it see exactly its
// ancestors; a node's sequence is dropped once none of its children is left
// to decode.
// With best > 0, only the best texts' log-probabilities need be right: the
// sum down to a node bounds every text below it (each token's
// log-probability is at most 0), so a node whose sum is below the best-th
// best of the texts already summed is not decoded. The most likely nodes go
// first, four a round with the nodes that are their only children, until
// what is left to decode fits one batch. Texts not among the best come back
// as minus infinity or with their right sum.
static const whisper_seq_id vmcoach_seq_first = 1 << 16; // above whisper.cpp's own
static int vmcoach_decode_tree(whisper_context & ctx, whisper_state & state,
        const whisper_token * tokens, const int32_t * parents, const uint8_t * ends, int best,
        int n_nodes, int n_past, int n_threads, double * log_probs) {
    const int n_vocab = ctx.model.hparams.n_vocab;
    const int chunk = 32;
    const int widest = 4;
    std::vector<std::vector<int>> children(n_nodes);
    std::vector<int> depth(n_nodes, 0);
    for (int i = 0; i < n_nodes; ++i) {
        log_probs[i] = i == 0 ? 0.0 : -INFINITY;
        const int p = parents[i];
        if (i == 0 ? p != -1 : (p < 0 || p >= i)) {
            return 1;
        }
        if (i > 0) {
            children[p].push_back(i);
            depth[i] = depth[p] + 1;
        }
    }
    if (ends == nullptr) {
        best = 0;
    }
    // The sum of log-probabilities down to each node, known once its parent is decoded.
    std::vector<double> reach(n_nodes, -INFINITY);
    std::vector<char> fed(n_nodes, 0), held(n_nodes, 0);
    reach[0] = 0.0;
    auto known = [&](int i) { return i == 0 || fed[parents[i]]; };
    auto seq = [](int i) { return vmcoach_seq_first + i; };
    // The best-th highest sum of the texts summed so far.
    auto floor_of_best = [&]() -> double {
        std::vector<double> done;
        for (int i = 0; best > 0 && i < n_nodes; ++i) {
            if (ends[i] && known(i)) {
                done.push_back(reach[i]);
            }
        }
        if (best <= 0 || (int) done.size() < best) {
            return -INFINITY;
        }
        std::nth_element(done.begin(), done.begin() + (best - 1), done.end(), std::greater<double>());
        return done[best - 1];
    };
    std::vector<int> batch;
    std::vector<int> slot(n_nodes, -1);
    std::vector<std::vector<whisper_seq_id>> seqs;
    whisper_batch b = whisper_batch_init(chunk, chunk);
    // Decodes batch[from..from+n) in one go and writes its children's log-probabilities.
    auto take = [&](size_t from, int n) {
        b.n_tokens = n;
        for (int j = 0; j < n; ++j) {
            const int i = batch[from + j];
            b.token[j] = tokens[i];
            b.pos[j] = n_past + depth[i];
            b.n_seq_id[j] = (int32_t) seqs[from + j].size();
            for (size_t k = 0; k < seqs[from + j].size(); ++k) {
                b.seq_id[j][k] = seqs[from + j][k];
            }
            b.logits[j] = 1;
        }
        if (!whisper_decode_internal(ctx, state, b, n_threads, false, nullptr, nullptr)) {
            return false;
        }
        for (int j = 0; j < n; ++j) {
            const int i = batch[from + j];
            const float * row = state.logits.data() + (size_t) j*n_vocab;
            float max = -INFINITY;
            for (int v = 0; v < n_vocab; ++v) {
                max = std::max(max, row[v]);
            }
            double sum = 0.0;
            for (int v = 0; v < n_vocab; ++v) {
                sum += std::exp((double) (row[v] - max));
            }
            const double log_sum = (double) max + std::log(sum);
            for (int c : children[i]) {
                log_probs[c] = tokens[c] >= 0 && tokens[c] < n_vocab ? (double) row[tokens[c]] - log_sum : -INFINITY;
                reach[c] = reach[i] + log_probs[c];
            }
            fed[i] = 1;
        }
        return true;
    };
    int rc = 0;
    while (true) {
        const double floor = floor_of_best();
        std::vector<int> open;
        for (int i = 0; i < n_nodes; ++i) {
            if (known(i) && !fed[i] && !children[i].empty() && reach[i] >= floor) {
                open.push_back(i);
            }
        }
        if (open.empty()) {
            break;
        }
        batch.clear();
        if (best <= 0) {
            // Every node: in their order, parents first.
            for (int i = 0; i < n_nodes && (int) batch.size() < chunk; ++i) {
                if (!fed[i] && !children[i].empty()) {
                    batch.push_back(i);
                }
            }
        } else {
            std::stable_sort(open.begin(), open.end(), [&](int x, int y) { return reach[x] > reach[y]; });
            std::vector<int> below;
            for (size_t k = 0; k < open.size() && (int) below.size() <= chunk; ++k) {
                std::vector<int> stack = {open[k]};
                while (!stack.empty() && (int) below.size() <= chunk) {
                    const int x = stack.back();
                    stack.pop_back();
                    if (!children[x].empty()) {
                        below.push_back(x);
                        stack.insert(stack.end(), children[x].begin(), children[x].end());
                    }
                }
            }
            if ((int) below.size() <= chunk) {
                batch = below;
            } else {
                for (size_t k = 0; k < open.size() && (int) k < widest && (int) batch.size() < chunk; ++k) {
                    int x = open[k];
                    batch.push_back(x);
                    while (children[x].size() == 1 && !children[children[x][0]].empty() && (int) batch.size() < chunk) {
                        x = children[x][0];
                        batch.push_back(x);
                    }
                }
            }
            std::sort(batch.begin(), batch.end());
        }
        // Each node's own sequence, also on its ancestors in the batch; the
        // cells above those get it from the nearest ancestor decoded before
        // (the prefix's, sequence 0, for node 0).
        seqs.assign(batch.size(), {});
        for (size_t k = 0; k < batch.size(); ++k) {
            slot[batch[k]] = (int) k;
        }
        for (size_t k = 0; k < batch.size(); ++k) {
            const int i = batch[k];
            seqs[k].push_back(seq(i));
            int a = parents[i];
            while (a >= 0 && slot[a] >= 0) {
                seqs[slot[a]].push_back(seq(i));
                a = parents[a];
            }
            if (a < 0) {
                whisper_kv_cache_seq_cp(state.kv_self, 0, seq(i), 0, n_past);
            } else {
                whisper_kv_cache_seq_cp(state.kv_self, seq(a), seq(i), -1, -1);
            }
            held[i] = 1;
        }
        for (int i : batch) {
            slot[i] = -1;
        }
        const int n = (int) batch.size();
        if (!take(0, n)) {
            // No run of free cells that long: one node at a time needs one.
            bool ok = n > 1;
            for (int k = 0; ok && k < n; ++k) {
                ok = take(k, 1);
            }
            if (!ok) {
                rc = 1;
                break;
            }
        }
        // A node's sequence is dropped once none of its children is left to decode.
        const double after = floor_of_best();
        for (int i = 0; i < n_nodes; ++i) {
            if (!held[i] || !fed[i]) {
                continue;
            }
            bool waiting = false;
            for (int c : children[i]) {
                waiting = waiting || (!fed[c] && !children[c].empty() && reach[c] >= after);
            }
            if (!waiting) {
                whisper_kv_cache_seq_rm(state.kv_self, seq(i), -1, -1);
                held[i] = 0;
            }
        }
    }
    for (int i = 0; i < n_nodes; ++i) {
        if (held[i]) {
            whisper_kv_cache_seq_rm(state.kv_self, seq(i), -1, -1);
        }
    }
    whisper_batch_free(b);
    return rc;
}
int whisper_decode_with_state(struct whisper_context * ctx, struct whisper_state * state, const whisper_token * tokens, int n_tokens, int n_past, int n_threads) {
    if (vmcoach_tree_parents != nullptr) {
        const int32_t * parents = vmcoach_tree_parents;
        const uint8_t * ends = vmcoach_tree_ends;
        const int best = vmcoach_tree_best;
        double * log_probs = vmcoach_tree_log_probs;
        vmcoach_tree_parents = nullptr;
        vmcoach_tree_ends = nullptr;
        vmcoach_tree_log_probs = nullptr;
        whisper_kv_cache_seq_rm(state->kv_self, 0, n_past, -1);
        if (vmcoach_decode_tree(*ctx, *state, tokens, parents, ends, best, n_tokens, n_past, n_threads, log_probs) != 0) {
            WHISPER_LOG_ERROR(\"%s: failed to eval a tree\\n\", __func__);
            return 1;
        }
        return 0;
    }
    whisper_batch_prep_legacy(state->batch, tokens, n_tokens, n_past, 0);
")
    # 7. The encoder's graphs checked for an abort between nodes; 11. the threads
    #   of every graph read from the count another thread may change.
    _vmcoach_replace(
"static bool ggml_graph_compute_helper(
      ggml_backend_sched_t   sched,
"
"// VMCOACH_PATCH: the abort callback of the encode under way on this thread,
// for the scheduler's backends (set for the length of whisper_encode_internal).
static thread_local ggml_abort_callback vmcoach_abort = nullptr;
static thread_local void * vmcoach_abort_data = nullptr;

// VMCOACH_PATCH: a thread count another thread may change, read as each
// graph on this thread starts (0 or none: the count the call was given).
static thread_local const int * vmcoach_threads = nullptr;
static thread_local int vmcoach_threads_used = 0;

extern \"C\" WHISPER_API void vmcoach_whisper_threads_from(const int * count) {
    vmcoach_threads = count;
}

extern \"C\" WHISPER_API int vmcoach_whisper_threads_used(void) {
    return vmcoach_threads_used;
}

// VMCOACH_PATCH: the abort callback of the encodes and decodes on this
// thread that are given none (the number pass's own, which whisper.cpp's
// API gives no way to stop), set by vmcoach_whisper_abort_with.
static thread_local ggml_abort_callback vmcoach_abort_given = nullptr;
static thread_local void * vmcoach_abort_given_data = nullptr;
extern \"C\" WHISPER_API void vmcoach_whisper_abort_with(ggml_abort_callback callback, void * data) {
    vmcoach_abort_given = callback;
    vmcoach_abort_given_data = data;
}
// VMCOACH_PATCH: the state the last encode on this thread ran on.
static thread_local struct whisper_state * vmcoach_last_state = nullptr;

extern \"C\" WHISPER_API struct whisper_state * vmcoach_whisper_last_state(void) {
    struct whisper_state * state = vmcoach_last_state;
    vmcoach_last_state = nullptr;
    return state;
}

struct vmcoach_abort_scope {
    vmcoach_abort_scope(ggml_abort_callback cb, void * data) {
        vmcoach_abort = cb;
        vmcoach_abort_data = data;
    }
    ~vmcoach_abort_scope() {
        vmcoach_abort = nullptr;
        vmcoach_abort_data = nullptr;
    }
};

static bool ggml_graph_compute_helper(
      ggml_backend_sched_t   sched,
")
    _vmcoach_replace(
"            fn_set_n_threads(backend, n_threads);
        }
    }

    const bool t = (ggml_backend_sched_graph_compute(sched, graph) == GGML_STATUS_SUCCESS);
"
"            if (vmcoach_threads != nullptr) {
                const int count = __atomic_load_n(vmcoach_threads, __ATOMIC_RELAXED);
                if (count > 0) {
                    n_threads = count;
                }
            }
            vmcoach_threads_used = n_threads;
            fn_set_n_threads(backend, n_threads);
        }

        auto * fn_set_abort = (ggml_backend_set_abort_callback_t) ggml_backend_reg_get_proc_address(reg, \"ggml_backend_set_abort_callback\");
        if (fn_set_abort) {
            fn_set_abort(backend, vmcoach_abort, vmcoach_abort_data);
        }
    }

    const bool t = (ggml_backend_sched_graph_compute(sched, graph) == GGML_STATUS_SUCCESS);
")
    _vmcoach_replace(
"                   void * abort_callback_data) {
    const int64_t t_start_us = ggml_time_us();

    // conv
"
"                   void * abort_callback_data) {
    const int64_t t_start_us = ggml_time_us();
    if (abort_callback == nullptr) {
        abort_callback = vmcoach_abort_given;
        abort_callback_data = vmcoach_abort_given_data;
    }
    vmcoach_abort_scope vmcoach_abort_guard(abort_callback, abort_callback_data);
    vmcoach_last_state = &wstate;

    // conv
")

    _vmcoach_replace(
"    const int64_t t_start_us = ggml_time_us();

    const auto & model   = wctx.model;
    const auto & hparams = model.hparams;

    const int n_vocab  = hparams.n_vocab;
    const int n_tokens = batch.n_tokens;
"
"    const int64_t t_start_us = ggml_time_us();
    if (abort_callback == nullptr) {
        abort_callback = vmcoach_abort_given;
        abort_callback_data = vmcoach_abort_given_data;
    }

    const auto & model   = wctx.model;
    const auto & hparams = model.hparams;

    const int n_vocab  = hparams.n_vocab;
    const int n_tokens = batch.n_tokens;
")
    # 8. A state's encoding copied out and back in.
    _vmcoach_replace(
"int whisper_encode_with_state(struct whisper_context * ctx, struct whisper_state * state, int offset, int n_threads) {
"
"// VMCOACH_PATCH: a state's cross-attention cache (the encoder's output as
// the decoder reads it) copied out and back, with the window's size.
extern \"C\" WHISPER_API size_t vmcoach_whisper_cross_bytes(struct whisper_state * state) {
    return ggml_nbytes(state->kv_cross.k) + ggml_nbytes(state->kv_cross.v);
}

extern \"C\" WHISPER_API int vmcoach_whisper_cross_get(struct whisper_state * state, void * dst) {
    const size_t nk = ggml_nbytes(state->kv_cross.k);
    ggml_backend_tensor_get(state->kv_cross.k, dst, 0, nk);
    ggml_backend_tensor_get(state->kv_cross.v, (char *) dst + nk, 0, ggml_nbytes(state->kv_cross.v));
    return state->exp_n_audio_ctx;
}

extern \"C\" WHISPER_API void vmcoach_whisper_cross_set(struct whisper_state * state, const void * src, int n_audio_ctx) {
    const size_t nk = ggml_nbytes(state->kv_cross.k);
    ggml_backend_tensor_set(state->kv_cross.k, src, 0, nk);
    ggml_backend_tensor_set(state->kv_cross.v, (const char *) src + nk, 0, ggml_nbytes(state->kv_cross.v));
    state->exp_n_audio_ctx = n_audio_ctx;
}

int whisper_encode_with_state(struct whisper_context * ctx, struct whisper_state * state, int offset, int n_threads) {
")

    # 9. A beam search's self-attention cache sized by what it can hold.
    _vmcoach_replace(
"                // recreate the KV cache if the number of decoders has changed
                if (state->kv_self_n_dec < n_decoders_cur) {
"
"                // VMCOACH_PATCH: recreate the KV cache if the number of decoders
                // has changed, or if this window's prompt needs more cells.
                const int vmcoach_kv_cells = n_decoders_cur > 1
                    ? (n_decoders_cur + 2)*std::min(GGML_PAD(ctx->model.hparams.n_text_ctx, 256),
                                                    GGML_PAD((int) prompt.size() + ctx->model.hparams.n_text_ctx/2, 32))
                    : GGML_PAD(ctx->model.hparams.n_text_ctx, 256);
                if (state->kv_self_n_dec < n_decoders_cur || (int) state->kv_self.size < vmcoach_kv_cells) {
")
    _vmcoach_replace(
"                    // overallocate to workaround KV cache fragmentation issues
                    const int factor = n_decoders_cur > 1 ? n_decoders_cur + 2 : 1;

                    if (!whisper_kv_cache_init(state->kv_self, state->backends[0], ctx->itype,
                                ctx->model.hparams.n_text_state,
                                ctx->model.hparams.n_text_layer,
                                GGML_PAD(ctx->model.hparams.n_text_ctx, 256)*factor)) {
"
"                    // overallocated against fragmentation, and never smaller than before
                    if (!whisper_kv_cache_init(state->kv_self, state->backends[0], ctx->itype,
                                ctx->model.hparams.n_text_state,
                                ctx->model.hparams.n_text_layer,
                                std::max(vmcoach_kv_cells, (int) state->kv_self.size))) {
")

    # 10. A greedy decoding that repeats a short unit fails at once.
    _vmcoach_replace(
"                    // sometimes, the decoding can get stuck in a repetition loop
                    // this is an attempt to mitigate such cases - we flag the decoding as failed and use a fallback strategy
"
"                    // VMCOACH_PATCH: a greedy decoding at temperature 0 caught in a loop
                    // ends at once, as the check below would end it at the token limit:
                    // kept up to its last timestamp when that is past half the window,
                    // else failed. (At a higher temperature every token draws from the
                    // random generator, and the draws of the next temperature would
                    // change.)
                    if (params.strategy == WHISPER_SAMPLING_GREEDY && t_cur == 0.0f &&
                        vmcoach_in_a_loop(decoder.sequence.tokens)) {
                        WHISPER_LOG_DEBUG(\"%s: decoder %d: in a loop\\n\", __func__, j);
                        if (result_len == 0 || seek_delta < 100*WHISPER_CHUNK_SIZE/2) {
                            failed = true;
                        } else {
                            completed = true;
                        }
                        continue;
                    }

                    // sometimes, the decoding can get stuck in a repetition loop
                    // this is an attempt to mitigate such cases - we flag the decoding as failed and use a fallback strategy
")
    _vmcoach_replace(
"int whisper_full_with_state(
"
"// VMCOACH_PATCH: the last 32 tokens repeat a unit of at most 8 tokens.
static bool vmcoach_in_a_loop(const std::vector<whisper_token_data> & tokens) {
    const int n = 32;
    const int len = (int) tokens.size();
    if (len < n) {
        return false;
    }
    for (int unit = 1; unit <= 8; ++unit) {
        bool repeats = true;
        for (int k = len - n + unit; k < len && repeats; ++k) {
            repeats = tokens[k].id == tokens[k - unit].id;
        }
        if (repeats) {
            return true;
        }
    }
    return false;
}

int whisper_full_with_state(
")

    # 17. Every decoder's random generator seeded afresh for each call.
    _vmcoach_replace(
"        decoder.rng = std::mt19937(j);
    }
"
"        decoder.rng = std::mt19937(j);
    }
    // VMCOACH_PATCH: decoder 0's generator too, as the others just above:
    // it was seeded once, when the state was made.
    state->decoders[0].rng = std::mt19937(0);
")

    # 15. The mel spectrogram's DFT of the FFT's odd leaves, a loop at a time.
    _vmcoach_replace(
"static void dft(const float* in, int N, float* out) {
    const int sin_cos_step = SIN_COS_N_COUNT / N;
"
"// VMCOACH_PATCH: the cosines and sines of the DFT of the FFT's odd-length
// leaves (25 for a 400-point FFT), laid out by n then k, the same values
// as the loop below reads.
struct vmcoach_dft_table {
    int N = SIN_COS_N_COUNT;
    std::vector<float> cos_nk;
    std::vector<float> sin_nk;
    vmcoach_dft_table() {
        while (N % 2 == 0) {
            N /= 2;
        }
        const int step = SIN_COS_N_COUNT / N;
        cos_nk.resize(N*N);
        sin_nk.resize(N*N);
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < N; k++) {
                const int idx = (k * n * step) % (SIN_COS_N_COUNT);
                cos_nk[n*N + k] = global_cache.cos_vals[idx];
                sin_nk[n*N + k] = global_cache.sin_vals[idx];
            }
        }
    }
};

static void dft(const float* in, int N, float* out) {
    // VMCOACH_PATCH: every k at once for each n, so that the compiler can
    // take the k in vector lanes; each k's sum is taken in the same order.
    static const vmcoach_dft_table table;
    if (N == table.N && N <= 64) {
        float re[64];
        float im[64];
        for (int k = 0; k < N; k++) {
            re[k] = 0;
            im[k] = 0;
        }
        for (int n = 0; n < N; n++) {
            const float x = in[n];
            const float * c = table.cos_nk.data() + n*N;
            const float * s = table.sin_nk.data() + n*N;
            for (int k = 0; k < N; k++) {
                re[k] += x*c[k];
                im[k] -= x*s[k];
            }
        }
        for (int k = 0; k < N; k++) {
            out[k*2 + 0] = re[k];
            out[k*2 + 1] = im[k];
        }
        return;
    }

    const int sin_cos_step = SIN_COS_N_COUNT / N;
")

    # Last. Say so in the system info line, so a test can tell the patch is in; the
#   number goes up with every change here, so a build made before a change
#   fails that test instead of running the old whisper.cpp unnoticed.
    _vmcoach_replace(
"    s += \"WHISPER : \";
"
"    s += \"WHISPER : VMCOACH_PATCH = 19 | \";
")

    _vmcoach_write()
endif()

# 12. In ggml's tiled matrix kernels (llamafile's sgemm), f16 weights times
#   f32 activations on AVX2 as they are. Only f16 x f16 had a kernel there,
#   so ggml first rounded every activation to f16 and the kernel widened
#   both sides back to f32 at every load. Now the activations stay f32: no
#   conversion pass, and half the widening in the inner loop. The AVX-512
#   kernels are left as they are: the same change there gained nothing on
#   an AMD AVX-512 CPU (docs/performance.md, Per CPU kind).
_vmcoach_open("ggml/src/ggml-cpu/llamafile/sgemm.cpp")
if(_vmcoach_done EQUAL -1)
    _vmcoach_replace(
"        if (Btype == GGML_TYPE_F16) {
            tinyBLAS<8, __m256, __m256, ggml_fp16_t, ggml_fp16_t, float> tb{ params, k,
"
"        // VMCOACH_PATCH: f32 activations as they are.
        if (Btype == GGML_TYPE_F32) {
            tinyBLAS<8, __m256, __m256, ggml_fp16_t, float, float> tb{ params, k,
                (const ggml_fp16_t *)A, lda,
                (const float *)B, ldb,
                (float *)C, ldc};
            return tb.matmul(m, n);
        }
        if (Btype == GGML_TYPE_F16) {
            tinyBLAS<8, __m256, __m256, ggml_fp16_t, ggml_fp16_t, float> tb{ params, k,
")
    _vmcoach_replace(
"#if defined(__AVX512F__)
inline float hsum(__m512 x) {
    return _mm512_reduce_add_ps(x);
}
#endif // __AVX512F__
"
"#if defined(__AVX512F__)
inline float hsum(__m512 x) {
    return _mm512_reduce_add_ps(x);
}
#endif // __AVX512F__

// VMCOACH_PATCH 18: four outputs' lanes summed at once into c[0..3]. Each
// sum is hsum()'s: the upper half of the lanes added to the lower, down to
// four lanes u, then (u0 + u2) + (u1 + u3). Only the vector types below
// have it: for any other the template is declared, not defined, so a call
// that is not ruled out by vmcoach_sum4_for fails to link.
template <typename T> struct vmcoach_sum4_for : std::false_type {};
template <typename T> void vmcoach_sum4(float *, const T *);
#if defined(__AVX__) || defined(__AVX2__) || defined(__AVX512F__)
template <> struct vmcoach_sum4_for<__m256> : std::true_type {};
// Lanes u of a and b: the 128-bit halves of each added, a's in the lower half.
static inline __m256 vmcoach_halves(__m256 a, __m256 b) {
    return _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x31), _mm256_permute2f128_ps(a, b, 0x20));
}
template <> inline void vmcoach_sum4(float * c, const __m256 * v) {
    __m256 u02 = vmcoach_halves(v[0], v[2]);
    __m256 u13 = vmcoach_halves(v[1], v[3]);
    // (u0 + u2, u1 + u3) in lanes 0 and 1 of each half.
    u02 = _mm256_add_ps(u02, _mm256_permute_ps(u02, _MM_SHUFFLE(1, 0, 3, 2)));
    u13 = _mm256_add_ps(u13, _mm256_permute_ps(u13, _MM_SHUFFLE(1, 0, 3, 2)));
    // Lower half: v0's sum, twice, v1's, twice; upper half: v2's and v3's.
    const __m256 s = _mm256_hadd_ps(u02, u13);
    _mm_storeu_ps(c, _mm_shuffle_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1), _MM_SHUFFLE(2, 0, 2, 0)));
}
#endif
#if defined(__AVX512F__)
template <> struct vmcoach_sum4_for<__m512> : std::true_type {};
template <> inline void vmcoach_sum4(float * c, const __m512 * v) {
    __m256 h[4];
    for (int i = 0; i < 4; ++i) {
        h[i] = _mm256_add_ps(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v[i]), 1)),
                             _mm512_castps512_ps256(v[i]));
    }
    vmcoach_sum4(c, h);
}
#endif
")
    _vmcoach_replace(
"                        Cv[j][i] = madd(Av, Bv[j], Cv[j][i]);
                    }
                }
            }
        }
        for (int64_t j = 0; j < RN; ++j)
            for (int64_t i = 0; i < RM; ++i)
                C[ldc * (jj + j) + (ii + i)] = hsum(Cv[j][i]);
    }
"
"                        Cv[j][i] = madd(Av, Bv[j], Cv[j][i]);
                    }
                }
            }
        }
        // VMCOACH_PATCH 18: a column's four sums at once.
        if constexpr (RM == 4 && vmcoach_sum4_for<D>::value && std::is_same<TC, float>::value) {
            for (int64_t j = 0; j < RN; ++j)
                vmcoach_sum4(C + ldc * (jj + j) + ii, Cv[j]);
        } else
        for (int64_t j = 0; j < RN; ++j)
            for (int64_t i = 0; i < RM; ++i)
                C[ldc * (jj + j) + (ii + i)] = hsum(Cv[j][i]);
    }
")
    _vmcoach_write()
endif()

# 18. In the same kernels, a tile's sums taken four at a time. Each output
#   of a tile is a vector of partial sums that was added up across its
#   lanes on its own (a chain of shuffles and additions, then one store
#   per output). With the attention's inner length of 64 (the scores, K x
#   Q) a tile's loop is only 8 steps on AVX2 and 4 on AVX-512, and those
#   sums were about as much work as the loop. Now the four outputs of a
#   column of the tile are summed together with vector shuffles and stored
#   at once. Each sum adds the same lanes in the same pairs and order as
#   hsum() (and _mm512_reduce_add_ps), so each result is the same to the
#   bit.
#
# 19. (in 4) Without AVX-512, each head's queries are made contiguous
#   before K x Q, so that the product runs on 12's f16 x f32 kernel: the
#   queries no longer rounded to f16 in a pass of their own and widened
#   again at every step of the loop. (With AVX-512 there is no such kernel
#   and ggml rounds them as before: nothing changes there.) The scores
#   are no longer computed from rounded queries, so token probabilities
#   move in the third decimal; transcripts and word times of the fixtures
#   are the same.
#
# 13. ggml's softmax, as the encoder's attention runs it (6 heads x 4 layers
#   x 1500 rows of 1504 scores a window), computes the same values faster.
#   - The row's maximum was a scalar loop, each step waiting on the one
#     before (58 % of the softmax's time in a profile on an AVX-512 Xeon):
#     now taken 16 or 8 lanes at a time. A maximum does not depend on the
#     order it is taken in, so the result is the same to the bit.
#   - The padding mask of 4 (above) was a full 1504 x 1500 matrix, 9 MB
#     read beside the scores for every head: now one row, which a mask of
#     one row gives every row of scores (ggml asked for one row per row).
#
# 14. A product of f16 rows by one column (the decoder's, a token at a time:
#   above all the 51,864 x 384 vocabulary product, a third of a
#   transcription's time in a profile) ran ggml_vec_dot_f16 row by row, and
#   each call widened the same column from f16 to f32 again: half of the
#   conversions it did. Now, on x86 with AVX or AVX-512 and a row length
#   that is a whole number of the loop's steps (384 and 1536 for tiny.en),
#   a block of 16 rows takes the column widened once. Each row is summed
#   with the same lanes, accumulators, order and reduction as before, so
#   each result is the same to the bit.
_vmcoach_open("ggml/src/ggml-cpu/vec.h")
if(_vmcoach_done EQUAL -1)
    _vmcoach_replace(
"void ggml_vec_dot_f16(int n, float * GGML_RESTRICT s, size_t bs, ggml_fp16_t * GGML_RESTRICT x, size_t bx, ggml_fp16_t * GGML_RESTRICT y, size_t by, int nrc);
"
"void ggml_vec_dot_f16(int n, float * GGML_RESTRICT s, size_t bs, ggml_fp16_t * GGML_RESTRICT x, size_t bx, ggml_fp16_t * GGML_RESTRICT y, size_t by, int nrc);
// VMCOACH_PATCH 14: nrows rows of x (bx bytes apart) times y, each as ggml_vec_dot_f16.
int  vmcoach_vec_dot_f16_rows_ok(int n);
void vmcoach_vec_dot_f16_rows(int n, int nrows, float * GGML_RESTRICT s, const ggml_fp16_t * GGML_RESTRICT x, size_t bx, const ggml_fp16_t * GGML_RESTRICT y);
")
    _vmcoach_replace(
"inline static void ggml_vec_max_f32(const int n, float * s, const float * x) {
#ifndef GGML_USE_ACCELERATE
    float max = -INFINITY;
    for (int i = 0; i < n; ++i) {
        max = MAX(max, x[i]);
    }
    *s = max;
"
"inline static void ggml_vec_max_f32(const int n, float * s, const float * x) {
#ifndef GGML_USE_ACCELERATE
    // VMCOACH_PATCH: several lanes and accumulators at a time.
    float max = -INFINITY;
    int i = 0;
#if defined(__AVX512F__)
    __m512 m0 = _mm512_set1_ps(-INFINITY);
    __m512 m1 = m0;
    for (; i + 32 <= n; i += 32) {
        m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
        m1 = _mm512_max_ps(m1, _mm512_loadu_ps(x + i + 16));
    }
    max = _mm512_reduce_max_ps(_mm512_max_ps(m0, m1));
#elif defined(__AVX__)
    __m256 m0 = _mm256_set1_ps(-INFINITY);
    __m256 m1 = m0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_max_ps(m0, m1));
    for (int k = 0; k < 8; ++k) {
        max = MAX(max, lanes[k]);
    }
#endif
    for (; i < n; ++i) {
        max = MAX(max, x[i]);
    }
    *s = max;
")
    _vmcoach_write()
endif()

_vmcoach_open("ggml/src/ggml-cpu/ops.cpp")
if(_vmcoach_done EQUAL -1)
    _vmcoach_replace(
"    const int64_t ne12 = src1 ? src1->ne[2] : 1;
    const int64_t ne13 = src1 ? src1->ne[3] : 1;

    // TODO: is this supposed to be ceil instead of floor?
"
"    const int64_t ne12 = src1 ? src1->ne[2] : 1;
    const int64_t ne13 = src1 ? src1->ne[3] : 1;
    // VMCOACH_PATCH: a mask of one row is every row's.
    const bool one_row = src1 && src1->ne[1] == 1;

    // TODO: is this supposed to be ceil instead of floor?
")
    _vmcoach_replace(
"            for (int64_t i01 = ith; i01 < ne01; i01 += nth) {
                const int64_t i11 = i01;
                const int64_t i12 = i02%ne12;
"
"            for (int64_t i01 = ith; i01 < ne01; i01 += nth) {
                const int64_t i11 = one_row ? 0 : i01;
                const int64_t i12 = i02%ne12;
")
    _vmcoach_write()
endif()

_vmcoach_open("ggml/src/ggml.c")
if(_vmcoach_done EQUAL -1)
    _vmcoach_replace(
"        GGML_ASSERT(mask->ne[0] == a->ne[0]);
        GGML_ASSERT(mask->ne[1] >= a->ne[1]);
        GGML_ASSERT(a->ne[2]%mask->ne[2] == 0);
"
"        GGML_ASSERT(mask->ne[0] == a->ne[0]);
        // VMCOACH_PATCH: or one row for all (the CPU backend's softmax).
        GGML_ASSERT(mask->ne[1] >= a->ne[1] || mask->ne[1] == 1);
        GGML_ASSERT(a->ne[2]%mask->ne[2] == 0);
")
    _vmcoach_write()
endif()

_vmcoach_open("ggml/src/ggml-cpu/vec.cpp")
if(_vmcoach_done EQUAL -1)
    _vmcoach_replace(
"void ggml_vec_dot_f16(int n, float * GGML_RESTRICT s, size_t bs, ggml_fp16_t * GGML_RESTRICT x, size_t bx, ggml_fp16_t * GGML_RESTRICT y, size_t by, int nrc) {
"
"// VMCOACH_PATCH 14: the column widened once for a block of rows; each row
// then as in ggml_vec_dot_f16's x86 branch below (no leftovers: n is a
// whole number of steps), so each result is the same to the bit.
#define VMCOACH_ROWS_MAX_N 1024
#if defined(GGML_SIMD) && (defined(__AVX512F__) || defined(__AVX__)) && !defined(__ARM_NEON) && !defined(__riscv_v_intrinsic)
#define VMCOACH_ROWS_SIMD 1
#endif
int vmcoach_vec_dot_f16_rows_ok(int n) {
#if defined(VMCOACH_ROWS_SIMD)
    return n > 0 && n <= VMCOACH_ROWS_MAX_N && n % GGML_F16_STEP == 0;
#else
    GGML_UNUSED(n);
    return 0;
#endif
}

void vmcoach_vec_dot_f16_rows(int n, int nrows, float * GGML_RESTRICT s, const ggml_fp16_t * GGML_RESTRICT x, size_t bx, const ggml_fp16_t * GGML_RESTRICT y) {
#if defined(VMCOACH_ROWS_SIMD)
    float y32[VMCOACH_ROWS_MAX_N];
    for (int i = 0; i < n; i += GGML_F16_EPR) {
        GGML_F32_VEC_STORE(y32 + i, GGML_F16_VEC_LOAD((ggml_fp16_t *) (y + i), 0));
    }
    for (int r = 0; r < nrows; ++r) {
        ggml_fp16_t * xr = (ggml_fp16_t *) ((const char *) x + r*bx);
        GGML_F16_VEC sum[GGML_F16_ARR] = { GGML_F16_VEC_ZERO };
        for (int i = 0; i < n; i += GGML_F16_STEP) {
            for (int j = 0; j < GGML_F16_ARR; j++) {
                const GGML_F16_VEC ax = GGML_F16_VEC_LOAD(xr + i + j*GGML_F16_EPR, j);
                const GGML_F16_VEC ay = GGML_F32_VEC_LOAD(y32 + i + j*GGML_F16_EPR);
                sum[j] = GGML_F16_VEC_FMA(sum[j], ax, ay);
            }
        }
        ggml_float sumf = 0.0;
        GGML_F16_VEC_REDUCE(sumf, sum);
        s[r] = sumf;
    }
#else
    GGML_UNUSED(n); GGML_UNUSED(nrows); GGML_UNUSED(s); GGML_UNUSED(x); GGML_UNUSED(bx); GGML_UNUSED(y);
    GGML_ABORT(\"vmcoach_vec_dot_f16_rows: not built for this CPU\");
#endif
}

void ggml_vec_dot_f16(int n, float * GGML_RESTRICT s, size_t bs, ggml_fp16_t * GGML_RESTRICT x, size_t bx, ggml_fp16_t * GGML_RESTRICT y, size_t by, int nrc) {
")
    _vmcoach_write()
endif()

_vmcoach_open("ggml/src/ggml-cpu/ggml-cpu.c")
if(_vmcoach_done EQUAL -1)
    _vmcoach_replace(
"                for (int64_t ir0 = iir0; ir0 < iir0 + blck_0 && ir0 < ir0_end; ir0 += num_rows_per_vec_dot) {
                    vec_dot(ne00,"
"                // VMCOACH_PATCH 14: f16 rows by one column, the column widened once.
                if (type == GGML_TYPE_F16 && num_rows_per_vec_dot == 1 && vmcoach_vec_dot_f16_rows_ok((int) ne00)) {
                    vmcoach_vec_dot_f16_rows((int) ne00, (int) (MIN(iir0 + blck_0, ir0_end) - iir0), tmp,
                        (const ggml_fp16_t *) (src0_row + iir0 * nb01), nb01, (const ggml_fp16_t *) src1_col);
                } else
                for (int64_t ir0 = iir0; ir0 < iir0 + blck_0 && ir0 < ir0_end; ir0 += num_rows_per_vec_dot) {
                    vec_dot(ne00,")
    _vmcoach_write()
endif()
