import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BrandContext, loadBrand } from './branding/brand';

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element in index.html');

// The brand (name, accent, logo) is known before the first paint, so the console never flashes the default.
void loadBrand().then((brand) => {
  document.title = `${brand.productName} console`;
  createRoot(container).render(
    <StrictMode>
      <BrandContext.Provider value={brand}>
        <App />
      </BrandContext.Provider>
    </StrictMode>,
  );
});
