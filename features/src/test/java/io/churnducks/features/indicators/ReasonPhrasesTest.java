package io.churnducks.features.indicators;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReasonPhrasesTest {

  @Test
  void everyNumericIndicatorHasAPhrase() {
    for (String name : CustomerFeatures.numericIndicators()) {
      boolean flag = CustomerFeatures.COLUMNS.stream().anyMatch(i -> i.name().equals(name) && i.unit().equals("0/1"));
      if (flag) {
        assertTrue(ReasonPhrases.TEMPLATES.containsKey(name + ":high") && ReasonPhrases.TEMPLATES.containsKey(name + ":low"),
            name + " has a phrase for each direction");
      } else {
        assertTrue(ReasonPhrases.TEMPLATES.containsKey(name), name + " has a phrase");
      }
    }
    List<String> known = CustomerFeatures.numericIndicators();
    ReasonPhrases.TEMPLATES.keySet().forEach(k -> assertTrue(known.contains(k.replaceAll(":(high|low)$", "")),
        k + " is an indicator of the catalogue"));
  }

  @Test
  void phrasesReadAsACustomerSuccessManagerWouldSayThem() {
    assertEquals("renewal in 21 days", ReasonPhrases.phrase("days_to_renewal", false, 21.0, 180));
    assertEquals("usage -60 % vs the previous 28 days", ReasonPhrases.phrase("usage_trend_28d", false, Math.log(0.4), 0));
    assertEquals("2 unpaid invoices", ReasonPhrases.phrase("unpaid_invoices_90d", true, 2.0, 0));
    assertEquals("discount ended 40 days ago", ReasonPhrases.phrase("days_since_discount_end", false, 40.0, 400));
    assertEquals("pays 1065.90 a month (typical 99.00)", ReasonPhrases.phrase("mrr", true, 1065.8999999999999, 99));
    assertEquals("3 active users in 28 days (typical 7.5)", ReasonPhrases.phrase("active_users_28d", false, 3.0, 7.5));
    assertEquals("MRR -25 % in 90 days", ReasonPhrases.phrase("mrr_change_90d", false, -0.25, 0));
    assertEquals("NPS -3 points since the answer before", ReasonPhrases.phrase("nps_change", false, -3.0, 0));
    assertEquals("40 % of seats in use (typical 75 %)", ReasonPhrases.phrase("seat_utilisation", false, 0.4, 0.75));
    assertEquals("did not reach the key-feature threshold in the first 14 days",
        ReasonPhrases.phrase("activated_14d", false, 0.0, 1));
    assertEquals("renewal in 21 days", ReasonPhrases.phrase("days_to_renewal", false, 21.0, 180));
    assertEquals("some new indicator high", ReasonPhrases.phrase("some_new_indicator", true, 3.0, 1),
        "an indicator without a phrase still reads");
    assertEquals("unpaid invoices 90d low", ReasonPhrases.phrase("unpaid_invoices_90d", false, null, 0),
        "an unknown value falls back to the direction");
  }
}
