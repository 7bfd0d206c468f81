// The public page: water near me and the report form. It calls only the public routes.

import { PublicLevels } from "../components/PublicLevels";
import { PublicReportForm } from "../components/PublicReportForm";

export function PublicPage() {
  return (
    <div className="public-page" data-testid="public-page">
      <div className="page-head">
        <div>
          <h1>Your water</h1>
          <p className="lead">Check the water supply near you, and tell us about leaks or other problems.</p>
        </div>
      </div>
      <div className="public-grid">
        <PublicLevels />
        <PublicReportForm />
      </div>
    </div>
  );
}
