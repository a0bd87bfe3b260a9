// Signs in with the Okta Sign-In Widget, configured by /config.js
// (window.widgetConfig), and shows the ID token's claims in #result, or
// the error in #error.
(function () {
  const signIn = new OktaSignIn(window.widgetConfig);
  signIn.showSignInToGetTokens({ el: '#widget' }).then(function (tokens) {
    const id = tokens.idToken;
    document.getElementById('result').textContent = JSON.stringify({
      claims: id.claims,
      issuer: id.issuer,
      clientId: id.clientId,
      accessToken: !!(tokens.accessToken && tokens.accessToken.accessToken),
    });
    signIn.remove();
  }).catch(function (err) {
    document.getElementById('error').textContent = String(err && (err.message || err.errorSummary) || err);
  });
})();
