"""Every string of the HTML report in English, Finnish and Swedish (one table per language, the same keys).

Numbers are not part of these strings: the report formats them (decimal comma in fi/sv). ``{...}`` fields are
filled with :meth:`str.format`. The review notes of the Finnish and Swedish texts are in
``templates/LANGUAGE_REVIEW.md``; ``tests/test_report_language.py`` checks that the three tables have the same
keys and that no English string is left in a Finnish or Swedish report.
"""

from __future__ import annotations

__all__ = ["TEXTS", "METHOD", "REASONS"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "NPS report",
        "verdict": "In short",
        "overview": "Overview",
        "nps": "NPS",
        "interval": "95 % interval",
        "n": "responses",
        "promoters": "Promoters",
        "passives": "Passives",
        "detractors": "Detractors",
        "promoter": "promoter",
        "passive": "passive",
        "detractor": "detractor",
        "who": "Who answered",
        "rows_read": "rows read",
        "rows_rejected": "rejected (invalid score)",
        "commenting": "wrote a comment",
        "strengths": "Strengths: what to keep",
        "strengths_short": "Strengths",
        "development": "Development areas: what to fix first",
        "development_short": "Development areas",
        "none_strength": "No theme qualifies as a strength with the evidence at hand.",
        "none_dev": "No theme qualifies as a development area with the evidence at hand.",
        "theme": "Theme",
        "mentions": "Mentions",
        "positive": "Praise",
        "negative": "Criticism",
        "theme_nps": "Theme NPS",
        "net": "Net effect",
        "cost": "Criticism costs",
        "adds": "Praise adds",
        "points": "NPS points",
        "status": "Status",
        "share": "Share of comments",
        "all_themes": "All themes",
        "all_themes_note": "Sorted by what the criticism costs, largest first. Criticism costs: how much higher the "
        "NPS would be without the respondents who criticise the theme (shown negative: it pulls the NPS down). "
        "Praise adds: how much lower it would be without those who praise it. Net effect: the NPS of all "
        "respondents minus the NPS without those who mention the theme.",
        "segments": "Segments",
        "segment": "Segment",
        "themes_segments": "Where the criticism is concentrated: share of the segment's commenting respondents "
        "criticising the theme",
        "drivers_segments": "Theme × segment: share criticising each theme, with 95 % intervals",
        "drivers_note": "Each dot is a segment's share of commenting respondents who criticise the theme, the bar its "
        "95 % interval; the vertical line is the share among all respondents. Greyed: fewer than {min_n} commenting "
        "respondents, too few to compare (n is shown).",
        "hidden_segments": "{k} smaller segments are not shown (the Segments sheet has them all).",
        "small_note": "Greyed cells: fewer than {min_n} commenting respondents, too few to compare.",
        "trend": "Trend",
        "trend_no_date_column": "No trend: no date column was found (name it with --date-column).",
        "trend_no_readable_dates": "No trend: none of the dates could be read (the load warnings list the rows).",
        "trend_no_period": "No trend: the analysis was run without a period.",
        "period": "Period",
        "change": "Change",
        "significant": "significant",
        "partial": "partial period",
        "partial_note": "Partial periods (marked ◐): the data covers only part of the period.",
        "theme_trends": "Theme trends: share praising (green) and criticising (red) per period, and the theme NPS",
        "theme_trends_note": "Upper panel: share of the period's commenting respondents who praise or criticise the "
        "theme. Lower panel: NPS of the respondents mentioning it, with its 95 % interval; grey points rest on "
        "fewer than {min_n} respondents.",
        "score_change": "Change from the previous period, split by theme",
        "contribution": "Contribution",
        "contribution_note": "Each respondent's +1 (promoter), 0 or −1 (detractor) is shared equally among the "
        "themes they mention; a theme's contribution is its share of the period's NPS, so the contributions add up "
        "to the NPS and the changes to the NPS change.",
        "coverage": "Coverage",
        "coverage_text": "of the comments got at least one theme.",
        "untagged": "Frequent words in comments without a theme (what the taxonomy may miss)",
        "candidates": "Candidate themes in the comments without a theme (read them; npsthemes discover)",
        "candidate": "Candidate",
        "key_phrases": "Key phrases",
        "example": "Example",
        "disagreements": "Score and text disagree: review these",
        "score": "Score",
        "comment": "Comment",
        "kind_high": "high score, only criticism",
        "kind_low": "low score, only praise",
        "pol_positive": "praise",
        "pol_negative": "criticism",
        "pol_neutral": "neutral",
        "follow_up": "Close the loop with detractors",
        "follow_up_text": "detractors to contact are listed in followup.csv (and the FollowUp sheet), lowest score "
        "and most recent first, each routed to the criticised theme whose criticism costs the most NPS points. "
        "Cases per area:",
        "no_id": "No customer id column was found: followup.csv identifies respondents only by their row in the "
        "file (source_row). Add an id column to the export to call them back.",
        "no_theme": "no criticised theme (read the comment)",
        "no_theme_label": "(no theme)",
        "missing_group": "(missing)",
        "drilldown": "Comments by theme",
        "drill_note": "Open a theme to read its comments (personal data masked): criticism first, at most {max} per "
        "theme; responses.csv has them all.",
        "search": "Search the comments",
        "filter_theme": "All themes",
        "filter_polarity": "Praise and criticism",
        "filter_category": "All respondents",
        "shown": "shown",
        "of": "of",
        "evidence": "Evidence",
        "date": "Date",
        "method": "Method",
        "small": "small sample",
        "quotes_pos": "Praise",
        "quotes_neg": "Criticism",
        "status_strength": "strength",
        "status_development_area": "development area",
        "status_both": "mixed: praised and criticised",
        "status_uncertain": "uncertain (interval crosses 0)",
        "status_too_few_mentions": "too few mentions",
        "status_not_mentioned": "not mentioned",
        "model": "Model",
        "generated": "Generated from",
        "word": "Word",
        "responses_with": "responses",
        "kind": "Kind",
        "none": "None.",
        "nps_trend": "NPS by period with 95 % interval",
        "impact_chart": "What praise adds to the NPS and criticism costs it, per theme (NPS points, 95 % intervals)",
        "to": "to",
        "jump": "Contents",
    },
    "fi": {
        "title": "NPS-raportti",
        "verdict": "Lyhyesti",
        "overview": "Yleiskuva",
        "nps": "NPS",
        "interval": "95 %:n luottamusväli",
        "n": "vastausta",
        "promoters": "Suosittelijat",
        "passives": "Passiiviset",
        "detractors": "Arvostelijat",
        "promoter": "suosittelija",
        "passive": "passiivinen",
        "detractor": "arvostelija",
        "who": "Ketkä vastasivat",
        "rows_read": "riviä luettu",
        "rows_rejected": "hylätty (virheellinen arvosana)",
        "commenting": "kirjoitti perustelun",
        "strengths": "Vahvuudet: mitä kannattaa vaalia",
        "strengths_short": "Vahvuudet",
        "development": "Kehityskohteet: mitä korjata ensin",
        "development_short": "Kehityskohteet",
        "none_strength": "Yksikään teema ei näillä tiedoilla erotu vahvuutena.",
        "none_dev": "Yksikään teema ei näillä tiedoilla erotu kehityskohteena.",
        "theme": "Teema",
        "mentions": "Mainintoja",
        "positive": "Kehuja",
        "negative": "Moitteita",
        "theme_nps": "Teeman NPS",
        "net": "Nettovaikutus",
        "cost": "Moitteiden hinta",
        "adds": "Kehujen tuoma lisä",
        "points": "NPS-pistettä",
        "status": "Tila",
        "share": "Osuus perusteluista",
        "all_themes": "Kaikki teemat",
        "all_themes_note": "Järjestyksessä moitteiden hinnan mukaan, suurin ensin. Moitteiden hinta: kuinka paljon "
        "korkeampi NPS olisi ilman teemaa moittineita vastaajia (näytetään miinusmerkkisenä: se painaa NPS:ää "
        "alas). Kehujen tuoma lisä: kuinka paljon matalampi NPS olisi ilman teemaa kehuneita. Nettovaikutus: "
        "kaikkien vastaajien NPS miinus NPS ilman teeman maininneita.",
        "segments": "Segmentit",
        "segment": "Segmentti",
        "themes_segments": "Missä moitteet keskittyvät: osuus segmentin perustelun kirjoittaneista, jotka moittivat "
        "teemaa",
        "drivers_segments": "Teemat segmenteittäin: kutakin teemaa moittineiden osuus 95 %:n luottamusvälein",
        "drivers_note": "Piste on segmentin perustelun kirjoittaneista teemaa moittineiden osuus ja jana sen 95 %:n "
        "luottamusväli; pystyviiva on osuus kaikista vastaajista. Harmaa: alle {min_n} perustelun kirjoittanutta, "
        "liian vähän vertailuun (n näkyy).",
        "hidden_segments": "{k} pienempää segmenttiä ei näytetä (ne kaikki ovat välilehdellä Segments).",
        "small_note": "Harmaat solut: alle {min_n} perustelun kirjoittanutta, liian vähän vertailuun.",
        "trend": "Trendit",
        "trend_no_date_column": "Ei aikasarjaa: päivämääräsaraketta ei löytynyt (nimeä se valinnalla --date-column).",
        "trend_no_readable_dates": "Ei aikasarjaa: yhtäkään päivämäärää ei voitu lukea (latauksen varoitukset "
        "luettelevat rivit).",
        "trend_no_period": "Ei aikasarjaa: analyysi ajettiin ilman jaksoa.",
        "period": "Jakso",
        "change": "Muutos",
        "significant": "merkitsevä",
        "partial": "vajaa jakso",
        "partial_note": "Vajaat jaksot (merkki ◐): aineisto kattaa vain osan jaksosta.",
        "theme_trends": "Teemojen trendit: kehujen (vihreä) ja moitteiden (punainen) osuus jaksoittain sekä teeman NPS",
        "theme_trends_note": "Yläosa: jakson perustelun kirjoittaneista teemaa kehuneiden tai moittineiden osuus. "
        "Alaosa: teeman maininneiden vastaajien NPS 95 %:n luottamusvälein; harmaa piste perustuu alle {min_n} "
        "vastaajaan.",
        "score_change": "Muutos edellisestä jaksosta teemoittain",
        "contribution": "Osuus NPS:stä",
        "contribution_note": "Kunkin vastaajan +1 (suosittelija), 0 tai −1 (arvostelija) jaetaan tasan hänen "
        "mainitsemilleen teemoille; teeman osuus on sen osa jakson NPS:stä, joten osuudet summautuvat NPS:ksi ja "
        "muutokset NPS:n muutokseksi.",
        "coverage": "Kattavuus",
        "coverage_text": "perusteluista sai vähintään yhden teeman.",
        "untagged": "Yleisiä sanoja perusteluissa, joille ei löytynyt teemaa (mitä teemoista voi puuttua)",
        "candidates": "Teemaehdotuksia perusteluista, joille ei löytynyt teemaa (lue ne; npsthemes discover)",
        "candidate": "Ehdotus",
        "key_phrases": "Avainsanat",
        "example": "Esimerkki",
        "disagreements": "Arvosana ja teksti ristiriidassa: tarkista nämä",
        "score": "Arvosana",
        "comment": "Perustelu",
        "kind_high": "korkea arvosana, pelkkiä moitteita",
        "kind_low": "matala arvosana, pelkkiä kehuja",
        "pol_positive": "kehu",
        "pol_negative": "moite",
        "pol_neutral": "neutraali",
        "follow_up": "Ota yhteyttä arvostelijoihin",
        "follow_up_text": "arvostelijaa on listattu yhteydenottoa varten tiedostoon followup.csv (ja välilehdelle "
        "FollowUp), pienin arvosana ja uusin ensin; kukin on ohjattu sille moititulle teemalle, jonka moitteiden "
        "hinta on suurin. Tapauksia alueittain:",
        "no_id": "Asiakastunnistesaraketta ei löytynyt: followup.csv yksilöi vastaajat vain rivinumerolla "
        "(source_row). Lisää tunnistesarake vientitiedostoon, jotta vastaajiin voi olla yhteydessä.",
        "no_theme": "ei moitittua teemaa (lue perustelu)",
        "no_theme_label": "(ei teemaa)",
        "missing_group": "(puuttuu)",
        "drilldown": "Perustelut teemoittain",
        "drill_note": "Avaa teema lukeaksesi sen perustelut (henkilötiedot peitetty): moitteet ensin, enintään {max} "
        "teemaa kohden; kaikki ovat tiedostossa responses.csv.",
        "search": "Hae perusteluista",
        "filter_theme": "Kaikki teemat",
        "filter_polarity": "Kehut ja moitteet",
        "filter_category": "Kaikki vastaajat",
        "shown": "näkyvissä",
        "of": "/",
        "evidence": "Tunnistetut ilmaukset",
        "date": "Päivämäärä",
        "method": "Menetelmä",
        "small": "pieni otos",
        "quotes_pos": "Kehut",
        "quotes_neg": "Moitteet",
        "status_strength": "vahvuus",
        "status_development_area": "kehityskohde",
        "status_both": "jakaa mielipiteet: kehuja ja moitteita",
        "status_uncertain": "epävarma (väli sisältää nollan)",
        "status_too_few_mentions": "liian vähän mainintoja",
        "status_not_mentioned": "ei mainintoja",
        "model": "Malli",
        "generated": "Lähde",
        "word": "Sana",
        "responses_with": "vastausta",
        "kind": "Laji",
        "none": "Ei yhtään.",
        "nps_trend": "NPS jaksoittain 95 %:n luottamusvälein",
        "impact_chart": "Mitä kehut tuovat NPS:ään ja mitä moitteet vievät siitä, teemoittain (NPS-pisteinä, 95 %:n "
        "luottamusvälein)",
        "to": "…",
        "jump": "Sisältö",
    },
    "sv": {
        "title": "NPS-rapport",
        "verdict": "Kort sagt",
        "overview": "Översikt",
        "nps": "NPS",
        "interval": "95 % konfidensintervall",
        "n": "svar",
        "promoters": "Promotorer",
        "passives": "Passiva",
        "detractors": "Kritiker",
        "promoter": "promotor",
        "passive": "passiv",
        "detractor": "kritiker",
        "who": "Vilka svarade",
        "rows_read": "rader lästa",
        "rows_rejected": "avvisade (ogiltigt betyg)",
        "commenting": "skrev en kommentar",
        "strengths": "Styrkor: vad ni ska behålla",
        "strengths_short": "Styrkor",
        "development": "Utvecklingsområden: vad ni ska åtgärda först",
        "development_short": "Utvecklingsområden",
        "none_strength": "Inget tema framstår som en tydlig styrka med det underlag som finns.",
        "none_dev": "Inget tema framstår som ett tydligt utvecklingsområde med det underlag som finns.",
        "theme": "Tema",
        "mentions": "Omnämnanden",
        "positive": "Beröm",
        "negative": "Kritik",
        "theme_nps": "Temats NPS",
        "net": "Nettoeffekt",
        "cost": "Kritiken kostar",
        "adds": "Berömmet ger",
        "points": "NPS-poäng",
        "status": "Status",
        "share": "Andel av kommentarerna",
        "all_themes": "Alla teman",
        "all_themes_note": "Sorterat efter vad kritiken kostar, störst först. Kritiken kostar: hur mycket högre NPS "
        "skulle vara utan de svarande som kritiserar temat (visas negativt: det drar ned NPS). Berömmet ger: hur "
        "mycket lägre NPS skulle vara utan dem som berömmer det. Nettoeffekt: NPS för alla svarande minus NPS utan "
        "dem som nämner temat.",
        "segments": "Segment",
        "segment": "Segment",
        "themes_segments": "Var kritiken är koncentrerad: andel av segmentets kommenterande svarande som kritiserar "
        "temat",
        "drivers_segments": "Tema × segment: andel som kritiserar varje tema, med 95 % konfidensintervall",
        "drivers_note": "Varje punkt är andelen av segmentets kommenterande svarande som kritiserar temat, strecket "
        "dess 95 % konfidensintervall; den lodräta linjen är andelen bland alla svarande. Grått: färre än {min_n} "
        "kommenterande svarande, för få för att jämföra (n visas).",
        "hidden_segments": "{k} mindre segment visas inte (fliken Segments har alla).",
        "small_note": "Grå celler: färre än {min_n} kommenterande svarande, för få för att jämföra.",
        "trend": "Utveckling över tid",
        "trend_no_date_column": "Ingen tidsserie: ingen datumkolumn hittades (ange den med --date-column).",
        "trend_no_readable_dates": "Ingen tidsserie: inga datum kunde läsas (varningarna vid inläsningen listar "
        "raderna).",
        "trend_no_period": "Ingen tidsserie: analysen kördes utan period.",
        "period": "Period",
        "change": "Förändring",
        "significant": "signifikant",
        "partial": "ofullständig period",
        "partial_note": "Ofullständiga perioder (märkta ◐): data täcker bara en del av perioden.",
        "theme_trends": "Temanas utveckling: andel som berömmer (grönt) och kritiserar (rött) per period, och "
        "temats NPS",
        "theme_trends_note": "Övre delen: andel av periodens kommenterande svarande som berömmer eller kritiserar "
        "temat. Nedre delen: NPS för de svarande som nämner det, med 95 % konfidensintervall; grå punkter bygger på "
        "färre än {min_n} svarande.",
        "score_change": "Förändring från föregående period, fördelad på teman",
        "contribution": "Bidrag till NPS",
        "contribution_note": "Varje svarandes +1 (promotor), 0 eller −1 (kritiker) delas lika mellan de teman hen "
        "nämner; ett temas bidrag är dess del av periodens NPS, så bidragen summeras till NPS och förändringarna "
        "till NPS-förändringen.",
        "coverage": "Täckning",
        "coverage_text": "av kommentarerna fick minst ett tema.",
        "untagged": "Vanliga ord i kommentarer utan tema (vad taxonomin kan missa)",
        "candidates": "Förslag på teman ur kommentarer utan tema (läs dem; npsthemes discover)",
        "candidate": "Förslag",
        "key_phrases": "Nyckelfraser",
        "example": "Exempel",
        "disagreements": "Betyg och text går isär: granska dessa",
        "score": "Betyg",
        "comment": "Kommentar",
        "kind_high": "högt betyg, bara kritik",
        "kind_low": "lågt betyg, bara beröm",
        "pol_positive": "beröm",
        "pol_negative": "kritik",
        "pol_neutral": "neutral",
        "follow_up": "Återkoppla till kritikerna",
        "follow_up_text": "kritiker att kontakta finns i followup.csv (och fliken FollowUp), lägst betyg och senaste "
        "först; var och en är kopplad till det kritiserade tema vars kritik kostar flest NPS-poäng. Fall per område:",
        "no_id": "Ingen kolumn med kund-id hittades: followup.csv identifierar de svarande bara med radnummer "
        "(source_row). Lägg till en id-kolumn i exporten för att kunna kontakta dem.",
        "no_theme": "inget kritiserat tema (läs kommentaren)",
        "no_theme_label": "(inget tema)",
        "missing_group": "(saknas)",
        "drilldown": "Kommentarer per tema",
        "drill_note": "Öppna ett tema för att läsa dess kommentarer (personuppgifter maskerade): kritik först, högst "
        "{max} per tema; responses.csv har alla.",
        "search": "Sök i kommentarerna",
        "filter_theme": "Alla teman",
        "filter_polarity": "Beröm och kritik",
        "filter_category": "Alla svarande",
        "shown": "visas",
        "of": "av",
        "evidence": "Nyckelord",
        "date": "Datum",
        "method": "Metod",
        "small": "litet urval",
        "quotes_pos": "Beröm",
        "quotes_neg": "Kritik",
        "status_strength": "styrka",
        "status_development_area": "utvecklingsområde",
        "status_both": "delade meningar: beröm och kritik",
        "status_uncertain": "osäker (intervallet omfattar 0)",
        "status_too_few_mentions": "för få omnämnanden",
        "status_not_mentioned": "inte nämnt",
        "model": "Modell",
        "generated": "Källa",
        "word": "Ord",
        "responses_with": "svar",
        "kind": "Typ",
        "none": "Inga.",
        "nps_trend": "NPS per period med 95 % konfidensintervall",
        "impact_chart": "Vad berömmet ger och kritiken kostar i NPS, per tema (NPS-poäng, 95 % konfidensintervall)",
        "to": "till",
        "jump": "Innehåll",
    },
}

#: The Method section, one paragraph per item; ``{min_n}``, ``{n_boot}``, ``{seed}``, ``{min_mentions}`` are
#: filled in. The model paragraph is built by the template from its own keys (model_*).
METHOD: dict[str, list[str]] = {
    "en": [
        "Categories: promoters 9–10, passives 7–8, detractors 0–6. NPS = % promoters − % detractors. With shares p "
        "and d, SE = 100·√((p + d − (p − d)²)/n); 95 % interval NPS ± 1.96·SE (Wald). Groups with fewer than "
        "{min_n} responses are marked as small samples, and segment cells with fewer than {min_n} commenting "
        "respondents are greyed.",
        "Change between periods: z = (NPS₂ − NPS₁)/√(SE₁² + SE₂²), two-sided p-value; “significant” means p < 0.05. "
        "The first and last periods are marked partial when the data starts after the period's first day or ends "
        "before its last.",
        "Impact of a theme = NPS(all) − NPS(all except the respondents who mention it). Criticism costs = NPS(all) − "
        "NPS(without the respondents who criticise the theme), a negative number; praise adds = NPS(all) − "
        "NPS(without the respondents who praise it). 95 % intervals from {n_boot} bootstrap resamples over "
        "respondents (seed {seed}). Impacts of overlapping themes do not add up: one comment can mention several "
        "themes.",
        "Status: praise share = praising ÷ (praising + criticising) respondents, with a 95 % Wilson interval. A "
        "strength is clearly praised (praise-share interval above ½), by at least {min_mentions} respondents, with a "
        "praise-adds interval above 0; a development area is clearly criticised (interval below ½), by at least "
        "{min_mentions} respondents, with a criticism-costs interval below 0; a theme whose praise-share interval "
        "contains ½ while both are clear of 0 is mixed: it is listed once, as a development area when its criticism "
        "costs at least as much as its praise adds, else as a strength. Themes with enough mentions that meet none "
        "of these are uncertain; with fewer, too few mentions. Development areas are ranked by what their "
        "criticism costs, strengths by what their praise adds.",
        "Segment shares: the share of a segment's commenting respondents who criticise a theme, with a 95 % Wilson "
        "interval. A segment is called out in the summary only when its whole interval lies above the share among "
        "the other respondents.",
        "Score change by theme: each respondent's +1/0/−1 is shared equally among the themes they mention (or "
        "counted under “no theme”); the contributions add up to the NPS exactly, so a change between periods splits "
        "additively across themes.",
        "Personal data (e-mail addresses, phone numbers, IBANs, payment cards, Finnish and Swedish personal identity "
        "codes) is masked in the quotes, comments, word lists and review tables shown here.",
    ],
    "fi": [
        "Luokat: suosittelijat 9–10, passiiviset 7–8, arvostelijat 0–6. NPS = suosittelijoiden % − arvostelijoiden %. "
        "Osuuksilla p ja d keskivirhe SE = 100·√((p + d − (p − d)²)/n); 95 %:n luottamusväli NPS ± 1,96·SE "
        "(Wald). Alle {min_n} vastauksen ryhmät merkitään pieniksi otoksiksi, ja segmenttien solut, joissa on alle "
        "{min_n} perustelun kirjoittanutta, näytetään harmaina.",
        "Muutos jaksojen välillä: z = (NPS₂ − NPS₁)/√(SE₁² + SE₂²), kaksisuuntainen p-arvo; ”merkitsevä” tarkoittaa, "
        "että p < 0,05. Ensimmäinen ja viimeinen jakso merkitään vajaiksi, kun aineisto alkaa jakson ensimmäisen "
        "päivän jälkeen tai päättyy ennen sen viimeistä päivää.",
        "Teeman vaikutus = NPS(kaikki) − NPS(kaikki paitsi teeman maininneet). Moitteiden hinta = NPS(kaikki) − "
        "NPS(ilman teemaa moittineita), negatiivinen luku; kehujen tuoma lisä = NPS(kaikki) − NPS(ilman teemaa "
        "kehuneita). 95 %:n luottamusvälit {n_boot} bootstrap-otoksesta vastaajien yli (siemenluku {seed}). "
        "Päällekkäisten teemojen vaikutukset eivät summaudu: yksi perustelu voi mainita useita teemoja.",
        "Tila: kehujen osuus = kehuneet ÷ (kehuneet + moittineet), 95 %:n Wilsonin luottamusvälein. Vahvuus on "
        "selvästi kehuttu (kehujen osuuden väli yli ½), vähintään {min_mentions} vastaajan mainitsema, ja sen kehujen "
        "tuoman lisän väli on yli 0; kehityskohde on selvästi moitittu (väli alle ½), vähintään {min_mentions} "
        "vastaajan mainitsema, ja sen moitteiden hinnan väli on alle 0. Teema, jonka kehujen osuuden väli sisältää "
        "½:n ja jonka molemmat vaikutukset poikkeavat selvästi nollasta, jakaa mielipiteet: se näytetään kerran, "
        "kehityskohteena, jos moitteiden hinta on vähintään kehujen tuoman lisän suuruinen, muuten vahvuutena. "
        "Teemat, joilla on tarpeeksi mainintoja mutta jotka eivät täytä mitään näistä, ovat epävarmoja; "
        "vähemmillä maininnoilla niillä on liian vähän mainintoja. Kehityskohteet järjestetään moitteiden hinnan, "
        "vahvuudet kehujen tuoman lisän mukaan.",
        "Segmenttien osuudet: segmentin perustelun kirjoittaneista teemaa moittineiden osuus 95 %:n Wilsonin "
        "luottamusvälein. Segmentti nostetaan esiin yhteenvedossa vain, jos sen koko väli on muiden vastaajien "
        "osuuden yläpuolella.",
        "Muutos teemoittain: kunkin vastaajan +1/0/−1 jaetaan tasan hänen mainitsemilleen teemoille (tai kohtaan "
        "”ei teemaa”); osuudet summautuvat täsmälleen NPS:ksi, joten jaksojen välinen muutos jakautuu teemoille "
        "yhteenlaskettavasti.",
        "Henkilötiedot (sähköpostiosoitteet, puhelinnumerot, IBAN-tilinumerot, maksukortit sekä suomalaiset ja "
        "ruotsalaiset henkilötunnukset) on peitetty tämän raportin lainauksissa, perusteluissa, sanalistoissa ja "
        "tarkistettavissa taulukoissa.",
    ],
    "sv": [
        "Kategorier: promotorer 9–10, passiva 7–8, kritiker 0–6. NPS = % promotorer − % kritiker. Med andelarna p "
        "och d är medelfelet SE = 100·√((p + d − (p − d)²)/n); 95 % konfidensintervall NPS ± 1,96·SE (Wald). "
        "Grupper med färre än {min_n} svar markeras som små urval, och segmentceller med färre än {min_n} "
        "kommenterande svarande visas grå.",
        "Förändring mellan perioder: z = (NPS₂ − NPS₁)/√(SE₁² + SE₂²), tvåsidigt p-värde; ”signifikant” betyder "
        "p < 0,05. Den första och sista perioden markeras som ofullständiga när data börjar efter periodens första "
        "dag eller slutar före dess sista.",
        "Ett temas påverkan = NPS(alla) − NPS(alla utom de svarande som nämner det). Kritiken kostar = NPS(alla) − "
        "NPS(utan de svarande som kritiserar temat), ett negativt tal; berömmet ger = NPS(alla) − NPS(utan dem som "
        "berömmer det). 95 % konfidensintervall från {n_boot} bootstrap-urval över de svarande (frö {seed}). "
        "Påverkan av överlappande teman kan inte summeras: en kommentar kan nämna flera teman.",
        "Status: berömsandel = berömmande ÷ (berömmande + kritiserande) svarande, med 95 % Wilson-intervall. En "
        "styrka får tydligt beröm (berömsandelens intervall över ½) av minst {min_mentions} svarande, och intervallet "
        "för vad berömmet ger ligger över 0; ett utvecklingsområde får tydlig kritik (intervallet under ½) av minst "
        "{min_mentions} svarande, och intervallet för vad kritiken kostar ligger under 0. Ett tema vars "
        "berömsandelsintervall omfattar ½ medan båda effekterna är tydligt skilda från 0 ger delade meningar: det "
        "visas en gång, som utvecklingsområde när kritiken kostar minst lika mycket som berömmet ger, annars som "
        "styrka. Teman med tillräckligt många omnämnanden som inte uppfyller något av detta är osäkra; med färre "
        "har de för få omnämnanden. Utvecklingsområden rangordnas efter vad kritiken kostar, styrkor efter vad "
        "berömmet ger.",
        "Segmentandelar: andelen av ett segments kommenterande svarande som kritiserar ett tema, med 95 % "
        "Wilson-intervall. Ett segment lyfts fram i sammanfattningen bara när hela dess intervall ligger över "
        "andelen bland övriga svarande.",
        "Förändring per tema: varje svarandes +1/0/−1 delas lika mellan de teman hen nämner (eller räknas under "
        "”inget tema”); bidragen summeras exakt till NPS, så en förändring mellan perioder fördelas additivt på "
        "teman.",
        "Personuppgifter (e-postadresser, telefonnummer, IBAN, betalkort samt finska och svenska personnummer) är "
        "maskerade i citat, kommentarer, ordlistor och granskningstabeller i rapporten.",
    ],
}

#: The model paragraph of the Method section (fields from the model's manifest).
MODEL_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "model_what": "Themes and polarities: {name} {version} (taxonomy {taxonomy}, languages {languages}), a "
        "trained classifier (word and character n-grams, one logistic regression per theme, polarity from the "
        "clause that mentions the theme).",
        "model_heldout": "On its held-out test split ({n} comments): theme micro F1 {f1}, precision {p}, recall {r}, "
        "polarity accuracy {pol}.",
        "model_independent": "On an independent set written separately ({n} comments): micro F1 {f1}, polarity "
        "accuracy {pol}.",
        "model_caveat": "The default model was trained on synthetic comments; tagging errors carry into every figure "
        "above, so read small differences with care.",
    },
    "fi": {
        "model_what": "Teemat ja niiden sävy: {name} {version} (teemasto {taxonomy}, kielet {languages}), opetettu "
        "luokittelija (sanojen ja merkkien n-grammit, yksi logistinen regressio teemaa kohden; sävy päätellään "
        "teeman mainitsevasta lauseen osasta).",
        "model_heldout": "Erillisellä testiaineistolla ({n} perustelua): teemojen mikro-F1 {f1}, tarkkuus {p}, "
        "saanti {r}, sävyn osumatarkkuus {pol}.",
        "model_independent": "Erikseen kirjoitetulla riippumattomalla aineistolla ({n} perustelua): mikro-F1 {f1}, "
        "sävyn osumatarkkuus {pol}.",
        "model_caveat": "Oletusmalli on opetettu synteettisillä perusteluilla; luokitteluvirheet näkyvät kaikissa "
        "yllä olevissa luvuissa, joten pieniin eroihin kannattaa suhtautua varauksella.",
    },
    "sv": {
        "model_what": "Teman och ton: {name} {version} (taxonomi {taxonomy}, språk {languages}), en tränad "
        "klassificerare (ord- och tecken-n-gram, en logistisk regression per tema; tonen avgörs av den satsdel som "
        "nämner temat).",
        "model_heldout": "På sin testdel som hölls utanför träningen ({n} kommentarer): temats mikro-F1 {f1}, "
        "precision {p}, täckning {r}, träffsäkerhet för tonen {pol}.",
        "model_independent": "På en oberoende, separat skriven uppsättning ({n} kommentarer): mikro-F1 {f1}, "
        "träffsäkerhet för tonen {pol}.",
        "model_caveat": "Standardmodellen tränades på syntetiska kommentarer; klassificeringsfel slår igenom i alla "
        "siffror ovan, så läs små skillnader med försiktighet.",
    },
}

#: The loader's reasons for rejecting a row, as the report shows them.
REASONS: dict[str, dict[str, str]] = {
    "en": {},
    "fi": {
        "score is missing": "arvosana puuttuu",
        "score is not a number": "arvosana ei ole luku",
        "score is not a whole number": "arvosana ei ole kokonaisluku",
        "score is outside 0-10": "arvosana ei ole välillä 0–10",
        "row has too many fields": "rivillä on liikaa kenttiä",
    },
    "sv": {
        "score is missing": "betyg saknas",
        "score is not a number": "betyget är inte ett tal",
        "score is not a whole number": "betyget är inte ett heltal",
        "score is outside 0-10": "betyget ligger utanför 0–10",
        "row has too many fields": "raden har för många fält",
    },
}

__all__ += ["MODEL_TEXT"]
