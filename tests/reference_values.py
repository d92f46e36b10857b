"""Published reference values the tests check the library against, in one place.

Every table here is typed in from the published source named beside it (not
read from the package's data files), so a test comparing the library with
these values checks the package data against the source. Change a value here
only with the source open.
"""

from __future__ import annotations

#: Hasbrouck, J., & Tindal, G. (2017). An update to compiled ORF norms (Technical Report No. 1702).
#: Behavioral Research and Teaching, University of Oregon.
#: grade -> season -> (10th, 25th, 50th, 75th, 90th percentile) words correct per minute.
HT2017 = {
    1: {"winter": (9, 16, 29, 59, 97), "spring": (18, 34, 60, 91, 116)},
    2: {"fall": (23, 36, 50, 84, 111), "winter": (35, 59, 84, 109, 131), "spring": (43, 72, 100, 124, 148)},
    3: {"fall": (40, 59, 83, 104, 134), "winter": (62, 79, 97, 137, 161), "spring": (63, 91, 112, 139, 166)},
    4: {"fall": (60, 75, 94, 125, 153), "winter": (71, 95, 120, 143, 168), "spring": (83, 105, 133, 160, 184)},
    5: {"fall": (64, 87, 121, 153, 179), "winter": (84, 109, 133, 160, 183), "spring": (102, 119, 146, 169, 195)},
    6: {"fall": (89, 112, 132, 159, 185), "winter": (91, 116, 145, 166, 195), "spring": (91, 122, 146, 173, 204)},
}
HT2017_PERCENTILES = (10, 25, 50, 75, 90)

#: Typical weekly growth as presented by the IRIS Center (Progress monitoring: reading), by measure:
#: oral reading fluency (words correct), word identification fluency (grade 1), letter-sound
#: fluency (kindergarten) and maze (all grades).
IRIS_GROWTH = {"orf": {2: 1.5, 3: 1.0, 4: 0.9, 5: 0.5, 6: 0.3}, "wif": {1: 1.5}, "lsf": {0: 1.2},
               "maze": {g: 0.4 for g in range(1, 13)}}
#: The same by grade for the reading measure of that grade (grade 1: word identification fluency).
IRIS_GROWTH_BY_GRADE = {1: 1.5, **IRIS_GROWTH["orf"]}

#: Fuchs, L. S., Fuchs, D., Hamlett, C. L., Walz, L., & Germann, G. (1993). Formative evaluation of
#: academic progress: How much growth can we expect? School Psychology Review, 22(1), 27-48.
#: grade -> (realistic, ambitious) words read correctly per week.
FUCHS_1993 = {1: (2.0, 3.0), 2: (1.5, 2.0), 3: (1.0, 1.5), 4: (0.85, 1.1), 5: (0.5, 0.8), 6: (0.3, 0.65)}

#: Burns, M. K., VanDerHeyden, A. M., & Jiban, C. L. (2006). Assessing the instructional level for
#: mathematics. School Psychology Review, 35(3). Instructional range in digits correct per minute;
#: "frustrational" is below its lower end. No range is published for grades 1 or 6.
BURNS_2006_INSTRUCTIONAL = {2: (14, 31), 3: (14, 31), 4: (24, 49), 5: (24, 49)}
BURNS_2006_FRUSTRATIONAL_BELOW = {g: lo for g, (lo, _) in BURNS_2006_INSTRUCTIONAL.items()}

#: Hanley, J. A., & McNeil, B. J. (1982). The meaning and use of the area under a receiver operating
#: characteristic (ROC) curve. Radiology, 143(1), 29-36. Table 1: ratings of 109 CT images
#: (1 = definitely normal ... 5 = definitely abnormal); published area 0.893, standard error 0.032.
HANLEY_MCNEIL_1982 = {
    "rating": (1, 2, 3, 4, 5),
    "normal": (33, 6, 6, 11, 2),
    "abnormal": (3, 2, 2, 11, 33),
    "area": 0.893,
    "se": 0.032,
}
