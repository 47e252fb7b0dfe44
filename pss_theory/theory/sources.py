"""The references every bound cites, by key.  ``cites(*keys)`` attaches ``source`` (main key) and
``sources`` (all keys) to a function, and fails at import if a key is unknown."""
from __future__ import annotations

SOURCES = {
    "desai2022": "A. Desai and A. Shrivastava. The trade-offs of model size in large recommendation models: "
                 "a 10000x compressed criteo-tb DLRM model (100 GB parameters to mere 10 MB). NeurIPS 2022; "
                 "arXiv:2207.10731 (appendix: Theorems 4, 6, 7).",
    "robe2021": "A. Desai, L. Chou and A. Shrivastava. Random Offset Block Embedding (ROBE) for compressed "
                "embedding tables in deep learning recommendation systems. MLSys 2022; arXiv:2108.02191.",
    "achlioptas2003": "D. Achlioptas. Database-friendly random projections: Johnson-Lindenstrauss with binary "
                      "coins. J. Comput. Syst. Sci. 66(4):671-687, 2003 (Theorem 1.1 and its proof).",
    "dasgupta_gupta2003": "S. Dasgupta and A. Gupta. An elementary proof of a theorem of Johnson and "
                          "Lindenstrauss. Random Struct. Algorithms 22(1):60-65, 2003 (Lemma 2.2).",
    "davidson_szarek2001": "K. R. Davidson and S. J. Szarek. Local operator theory, random matrices and Banach "
                           "spaces. Handbook of the Geometry of Banach Spaces, vol. 1, 317-366, 2001 "
                           "(Theorem II.13).",
    "vershynin2012": "R. Vershynin. Introduction to the non-asymptotic analysis of random matrices. In "
                     "Compressed Sensing: Theory and Applications, CUP, 2012, 210-268 (Corollary 5.35).",
    "vershynin2018": "R. Vershynin. High-Dimensional Probability. CUP, 2018 (Corollary 4.2.13: an "
                     "eps-net of the unit sphere of R^d with at most (1 + 2/eps)^d points).",
    "woodruff2014": "D. P. Woodruff. Sketching as a tool for numerical linear algebra. Found. Trends Theor. "
                    "Comput. Sci. 10(1-2):1-157, 2014 (Section 2.1: the JLT(eps, delta, f) definition, "
                    "gamma-nets of size (1 + 4/gamma)^d, JLT on a 1/2-net => subspace embedding, "
                    "CountSketch; the appendix's reference [20]).",
    "nelson_nguyen2013": "J. Nelson and H. L. Nguyen. OSNAP: faster numerical linear algebra algorithms via "
                         "sparser subspace embeddings. FOCS 2013, 117-126 (s = 1: m >= (d^2 + d)/(eps^2 "
                         "delta)).",
    "kane_nelson2014": "D. M. Kane and J. Nelson. Sparser Johnson-Lindenstrauss transforms. J. ACM 61(1):4, "
                       "2014 (k = O(eps^-2 log(1/delta)), s = O(eps^-1 log(1/delta)); constants not explicit).",
    "cohen_jayram_nelson2018": "M. B. Cohen, T. S. Jayram and J. Nelson. Simple analyses of the sparse "
                               "Johnson-Lindenstrauss transform. SOSA 2018, 15:1-15:9 (constants not "
                               "explicit).",
    "charikar2004": "M. Charikar, K. Chen and M. Farach-Colton. Finding frequent items in data streams. "
                    "Theor. Comput. Sci. 312(1):3-15, 2004 (ICALP 2002): CountSketch.",
    "thorup_zhang2012": "M. Thorup and Y. Zhang. Tabulation-based 5-independent hashing with applications to "
                        "linear probing and second moment estimation. SIAM J. Comput. 41(2):293-331, 2012 "
                        "(variance of the CountSketch second-moment estimator).",
    "ailon_chazelle2009": "N. Ailon and B. Chazelle. The fast Johnson-Lindenstrauss transform and approximate "
                          "nearest neighbors. SIAM J. Comput. 39(1):302-322, 2009.",
    "tropp2011": "J. A. Tropp. Improved analysis of the subsampled randomized Hadamard transform. Adv. Adapt. "
                 "Data Anal. 3(1-2):115-126, 2011 (Theorem 3.1; Lemma 3.3 row norms; Lemma 3.4 matrix "
                 "Chernoff without replacement).",
    "boutsidis_gittens2013": "C. Boutsidis and A. Gittens. Improved matrix algorithms via the subsampled "
                             "randomized Hadamard transform. SIAM J. Matrix Anal. Appl. 34(3):1301-1340, 2013 "
                             "(Lemma 4.1: the eps-version of Tropp's theorem).",
    "tropp2012": "J. A. Tropp. User-friendly tail bounds for sums of random matrices. Found. Comput. Math. "
                 "12(4):389-434, 2012 (Theorem 1.1, matrix Chernoff: for independent PSD d x d X_k with "
                 "lambda_max(X_k) <= R, P(lambda_max(sum X_k) >= (1 + u) mu_max) <= d [e^u / (1 + u)^(1 + u)]^(mu_max / R); "
                 "Theorem 3.6, the master bound from Lieb's theorem: P(lambda_max(sum X_k) >= t) <= inf_theta e^{-theta t} "
                 "tr exp(sum_k log E e^{theta X_k})).",
    "hsu_kakade_zhang2012": "D. Hsu, S. M. Kakade and T. Zhang. A tail inequality for quadratic forms of subgaussian "
                            "random vectors. Electron. Commun. Probab. 17(52):1-6, 2012 (proof of Theorem 1: the moment "
                            "generating function of ||A x||^2 for a subgaussian x is at most that of ||A g||^2, g "
                            "Gaussian, by linearising with an independent Gaussian vector).",
    "hoeffding1963": "W. Hoeffding. Probability inequalities for sums of bounded random variables. J. Amer. "
                     "Statist. Assoc. 58(301):13-30, 1963 (Theorems 1-2; Section 6, Theorem 4: for a finite population, "
                     "E f(sum of a sample drawn without replacement) <= E f(the same with replacement) for every "
                     "continuous convex f; the proof uses only linearity and Jensen's inequality, so it holds for "
                     "vectors).",
    "pinelis1994": "I. Pinelis. Optimum bounds for the distributions of martingales in Banach spaces. Ann. Probab. "
                   "22(4):1679-1706, 1994 (bounds on E cosh(lambda ||sum X_t||) for sums of vectors in a Hilbert "
                   "space, and the Bennett-type tail they give; the Hilbert-space case is proved in full in "
                   "theory.cert_tails.bennett_radius).",
    "clopper_pearson1934": "C. J. Clopper and E. S. Pearson. The use of confidence or fiducial limits "
                           "illustrated in the case of the binomial. Biometrika 26(4):404-413, 1934.",
    "laurent_massart2000": "B. Laurent and P. Massart. Adaptive estimation of a quadratic functional by model "
                           "selection. Ann. Statist. 28(5):1302-1338, 2000 (Lemma 1: for a_j >= 0 and iid N(0, 1) "
                           "g_j, P(sum a_j (g_j^2 - 1) >= 2 ||a||_2 sqrt(x) + 2 ||a||_inf x) <= e^-x).",
    "chernoff1952": "H. Chernoff. A measure of asymptotic efficiency for tests of a hypothesis based on the sum of "
                    "observations. Ann. Math. Statist. 23(4):493-507, 1952 (P(Z >= t) <= e^{-theta t} E e^{theta Z} "
                    "for every theta > 0).",
    "boucheron2013": "S. Boucheron, G. Lugosi and P. Massart. Concentration Inequalities: A Nonasymptotic Theory "
                     "of Independence. OUP, 2013 (Theorem 6.2, the bounded differences inequality of McDiarmid "
                     "1989: P(Z - EZ >= t) <= exp(-2 t^2 / sum c_i^2); Theorem 6.10: for independent X_i in [0, 1] "
                     "and a separately convex 1-Lipschitz f, P(Z > EZ + t) <= exp(-t^2 / 2)).",
    "sklearn": "F. Pedregosa et al. Scikit-learn: machine learning in Python. JMLR 12:2825-2830, 2011 "
               "(sklearn.random_projection.johnson_lindenstrauss_min_dim).",
    "weinberger2009": "K. Weinberger, A. Dasgupta, J. Langford, A. Smola and J. Attenberg. Feature hashing for "
                      "large scale multitask learning. ICML 2009 (the hashing trick, signed by a second hash).",
    "shi2020": "H.-J. M. Shi, D. Mudigere, M. Naumov and J. Yang. Compositional embeddings using complementary "
               "partitions for memory-efficient recommendation systems. KDD 2020 (the quotient-remainder trick, "
               "combined by product or sum).",
    "jegou2011": "H. Jegou, M. Douze and C. Schmid. Product quantization for nearest neighbor search. IEEE TPAMI "
                 "33(1):117-128, 2011 (P sub-vectors, each coded by the nearest of K centroids).",
    "tsang_ahle2023": "M. Tsang and T. D. Ahle. Clustering the sketch: dynamic compression for embedding tables "
                      "(CCE). NeurIPS 2023 (embedding tables as k-means codebooks with their codes counted).",
    "lloyd1982": "S. P. Lloyd. Least squares quantization in PCM. IEEE Trans. Inf. Theory 28(2):129-137, 1982 "
                 "(the k-means iteration: assign to the nearest centroid, then centroids as means).",
    "faiss2019": "J. Johnson, M. Douze and H. Jegou. Billion-scale similarity search with GPUs. IEEE Trans. Big "
                 "Data 7(3):535-547, 2019 (faiss; its k-means trains on at most 256 points per centroid, "
                 "ClusteringParameters.max_points_per_centroid).",
    "eckart_young1936": "C. Eckart and G. Young. The approximation of one matrix by another of lower rank. "
                        "Psychometrika 1(3):211-218, 1936 (truncated SVD is the best rank-r approximation).",
    "yin2021": "C. Yin, B. Acun, X. Liu and C.-J. Wu. TT-Rec: tensor train compression for deep learning "
               "recommendation model embeddings. MLSys 2021 (embedding tables as TT-matrices, n = n1 n2 n3, "
               "d = d1 d2 d3).",
    "oseledets2011": "I. V. Oseledets. Tensor-train decomposition. SIAM J. Sci. Comput. 33(5):2295-2317, 2011 "
                     "(TT-SVD: sequential truncated SVDs of the unfoldings).",
    "this_module": "Derived in pss-theory; the derivation is in the docstring of the function or family that uses it.",
}



def cites(*keys):
    """Attach ``source`` (main key) and ``sources`` (all keys) to a function; keys must be in SOURCES."""
    for key in keys:
        if key not in SOURCES:
            raise KeyError(f"unknown source key {key!r}")

    def mark(fn):
        fn.source = keys[0]
        fn.sources = tuple(keys)
        return fn

    return mark


