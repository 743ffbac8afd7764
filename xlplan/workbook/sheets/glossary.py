"""The Glossary sheet: the technical terms the business sheets keep out of their words (they name them in
a Term column or a note, and point here)."""

from __future__ import annotations

from xlplan.workbook.sheets.layout import GENERAL, Column, Sheet, Table
from xlplan.workbook.sheets.names import GLOSSARY
from xlplan.workbook.sheets.run_log import OUTPUT_TAB

GLOSSARY_NAME = "xlplan_glossary"
TERMS = (
    ("Planned", "Expected over the workbook's scenarios, weighted by their probabilities: what the optimiser "
                "works with (the KPI sheet)."),
    ("Simulated", "Averaged over outcomes drawn from the Uncertainty sheet (or, with nothing random, the "
                  "scenarios run by the simulator's operating rules): the Simulation sheet."),
    ("P5, P50, P95", "The profit that 5%, 50%, 95% of the simulated outcomes fall below: P5 is the bad case."),
    ("VaR", "Value at risk: the profit exceeded with the confidence the Uncertainty sheet sets (e.g. 95%)."),
    ("CVaR", "Conditional value at risk: the average over the outcomes at or beyond the value at risk, the "
             "worst few percent: of profit on Simulation and Compare ('average of the worst 5%', 'worst 5%: "
             "average profit'), of cost on Frontier ('worst 10%: average cost')."),
    ("Risk weight (lambda)", "How much a plan on the Frontier sheet gives up in expected cost to lower the CVaR "
                             "of its cost: 0 ignores risk."),
    ("RP", "Recourse problem: the stochastic plan's expected cost, the best over every scenario at once (on the "
           "sheets: stochastic plan: expected cost)."),
    ("EV", "Expected value problem: the plan made for average demand, and the cost it expects for itself (on the "
           "sheets: average-demand plan: cost it expects)."),
    ("EEV", "Expected result of the EV plan: that plan's expected cost facing every scenario; no figure when it "
            "breaks a rule in some scenario (on the sheets: average-demand plan: expected cost)."),
    ("WS", "Wait and see: the expected cost had each scenario been known in advance (on the sheets: perfect "
           "foresight: expected cost)."),
    ("VSS", "Value of the stochastic solution, EEV - RP: what planning for uncertainty saves over planning for "
            "the average (on the sheets: gain from planning for uncertainty)."),
    ("EVPI", "Expected value of perfect information, RP - WS: the most perfect forecasts could save (on the "
             "sheets: most perfect forecasts could save)."),
    ("Optimality gap (Mak, Morton and Wood)", "How far a plan made over a sample of scenarios may be from the "
                                              "best plan, estimated over batches of fresh scenarios."),
    ("Recourse", "The decisions made once a scenario's demand is known (stock, overtime use, backorders, lost "
                 "sales), as opposed to the plan decided now."),
    ("Shadow price", "What one more unit of a limit (a worker-hour, a unit of warehouse space) is worth to the "
                     "expected cost, valid within its range (the Sensitivity sheet): its marginal value. For a limit "
                     "in every scenario the range is the one the 100% rule guarantees: the changes' shares of "
                     "their own scenarios' ranges add up to at most 1."),
    ("LP, MIP", "Linear program (quantities may be fractional) and mixed-integer program (whole units): how the "
                "solver sees the plan."),
    ("Inputs ID (input fingerprint)", "A short code computed from the input sheets: two runs with the same "
                                      "inputs ID read the same inputs (the Run log and the Plans sheet)."),
    ("Adopt a plan", "Put a plan the Plans sheet keeps on the Plan sheet, priced over the scenarios. In Excel: "
                     "Adopt plan (the Start sheet's Action cell, or the xlplan ribbon) takes the plan Compare "
                     "recommends. From a terminal, any kept plan by name: xlplan adopt BOOK.xlsx --plan NAME."),
    ("Stage 1, stage 2 (a two-stage plan)", "Stage 1: the plan decided now, the same in every scenario (the Plan "
                                            "sheet). Stage 2: the response once a scenario's demand is known "
                                            "(Recourse). The stochastic plan is made for both at once."),
    ("Command line", "What the buttons, the Action cell and the xlplan ribbon do, from a terminal: xlplan validate "
                     "BOOK.xlsx checks the inputs; xlplan solve BOOK.xlsx -o plan.xlsx solves (--in-place writes "
                     "into BOOK.xlsx itself); xlplan simulate, compare, frontier, adopt and report BOOK.xlsx do what "
                     "the Action cell's choices of those names do; xlplan example synthetic BOOK.xlsx --products P "
                     "--periods T --scenarios S --seed N writes a synthetic workbook of that size; xlplan COMMAND "
                     "--help lists a command's options."),
    ("Every scenario's detail (--recourse-detail)", "The Recourse detail sheet shows a few scenarios in full; from "
                                                    "a terminal, xlplan solve BOOK.xlsx --recourse-detail FILE.csv "
                                                    "writes every scenario's to FILE.csv."),
)


def glossary_sheet() -> Sheet:
    sheet = Sheet(GLOSSARY, tab_color=OUTPUT_TAB)
    sheet.text(1, 1, "Glossary", "heading")
    sheet.text(2, 1, "The technical terms behind the figures; the other sheets say them in business words.", "note")
    sheet.tables.append(Table(4, 1, [Column("Term", GENERAL, 38), Column("Meaning", GENERAL, 90)],
                              [list(term) for term in TERMS], table_name="xlplanGlossary",
                              defined_name=GLOSSARY_NAME))
    return sheet
